#include "harness/play/transcript.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

std::string Offset(std::chrono::steady_clock::duration at) {
  double ms = std::chrono::duration<double, std::milli>(at).count();
  char text[32];
  std::snprintf(text, sizeof text, "+%.1fms", ms);
  return text;
}

// "812 bytes", "12.5 KiB", "64.0 MiB".
std::string Size(std::uint64_t bytes) {
  char text[32];
  if (bytes < 1024) {
    std::snprintf(text, sizeof text, "%llu byte%s", static_cast<unsigned long long>(bytes),
                  bytes == 1 ? "" : "s");
  } else if (bytes < 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f KiB", static_cast<double>(bytes) / 1024);
  } else if (bytes < 1024ull * 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024 * 1024));
  } else {
    std::snprintf(text, sizeof text, "%.2f GiB",
                  static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  }
  return text;
}

// The last `n` bytes an entry carried: from its kept bytes, or its tail when some were not kept.
std::string_view LastBytes(const Transcript::Entry& e, std::size_t n) {
  std::string_view last = e.bytes.size() < e.size ? std::string_view(e.tail) : e.bytes;
  return last.substr(last.size() - std::min(n, last.size()));
}

// One line for entries [from, to), all reads or all writes.
std::string RenderRun(const std::vector<Transcript::Entry>& entries, std::size_t from,
                      std::size_t to, std::size_t max_entry) {
  std::uint64_t total = 0;
  std::size_t pieces = 0;
  for (std::size_t i = from; i < to; ++i) {
    total += entries[i].size;
    ++pieces;
  }
  const Transcript::Entry& first = entries[from];
  const Transcript::Entry& last = entries[to - 1];
  const bool sent = first.kind == Transcript::Kind::kSent;
  const std::size_t shown = std::min<std::size_t>(max_entry / 2, 64);
  double span =
      std::chrono::duration<double, std::milli>(std::max(last.at, last.last_at) - first.at).count();
  char during[32];
  std::snprintf(during, sizeof during, " in %.1fms", span);
  std::string line = std::string(sent ? "  > " : "  < ") + std::to_string(pieces) +
                     (sent ? " writes, " : " reads, ") + Size(total) + during + ": ";
  std::string_view head(first.bytes);
  line += "\"" + EscapeBytes(head.substr(0, shown)) + "\"...";
  std::string_view end = LastBytes(last, shown);
  if (!end.empty()) line += " ...\"" + EscapeBytes(end) + "\"";
  return line;
}

}  // namespace

void Transcript::Add(Kind kind, std::string_view bytes) {
  auto at = std::chrono::steady_clock::now() - origin_;
  // Consecutive reads or writes in one direction are one entry: easier to read.
  if (!entries_.empty() && entries_.back().kind == kind && kind != Kind::kNote &&
      at - entries_.back().at < std::chrono::milliseconds(1)) {
    Entry& last = entries_.back();
    std::size_t keep = kept_ < kMaxBytes ? std::min(bytes.size(), kMaxBytes - kept_) : 0;
    last.bytes.append(bytes.substr(0, keep));
    last.size += bytes.size();
    last.last_at = at;
    kept_ += keep;
    if (last.bytes.size() < last.size) KeepTail(&last, bytes);
    return;
  }
  Entry entry{at, kind, "", bytes.size(), "", at};
  std::size_t keep = kept_ < kMaxBytes ? std::min(bytes.size(), kMaxBytes - kept_) : 0;
  entry.bytes.assign(bytes.substr(0, keep));
  kept_ += keep;
  if (keep < bytes.size()) KeepTail(&entry, bytes);
  entries_.push_back(std::move(entry));
}

void Transcript::KeepTail(Entry* entry, std::string_view bytes) {
  if (bytes.size() >= kTailBytes) {
    entry->tail.assign(bytes.substr(bytes.size() - kTailBytes));
    return;
  }
  entry->tail.append(bytes);
  if (entry->tail.size() > kTailBytes) entry->tail.erase(0, entry->tail.size() - kTailBytes);
}

void Transcript::Note(std::string text) {
  const auto at = std::chrono::steady_clock::now() - origin_;
  entries_.push_back(Entry{at, Kind::kNote, std::move(text), 0, "", at});
}

std::string Transcript::Render(std::size_t max_entry) const {
  std::string out;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    out += Offset(e.at);
    std::size_t run_end = i + 1;
    while (e.kind != Kind::kNote && run_end < entries_.size() && entries_[run_end].kind == e.kind)
      ++run_end;
    if (run_end - i > kCoalesceAfter) {
      out += RenderRun(entries_, i, run_end, max_entry) + "\n";
      i = run_end - 1;
      continue;
    }
    if (e.kind == Kind::kNote) {
      out += "  - " + e.bytes + "\n";
      continue;
    }
    out += e.kind == Kind::kSent ? "  > " : "  < ";
    std::string_view shown(e.bytes);
    bool cut = shown.size() > max_entry;
    if (cut) shown = shown.substr(0, max_entry);
    out += "\"" + EscapeBytes(shown) + "\"";
    if (cut || e.bytes.size() < e.size) out += "... (" + std::to_string(e.size) + " bytes)";
    out += "\n";
  }
  if (entries_.empty()) out += "(nothing happened)\n";
  return out;
}

}  // namespace parley::harness
