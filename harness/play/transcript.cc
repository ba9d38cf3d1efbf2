#include "harness/play/transcript.h"

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
    kept_ += keep;
    return;
  }
  Entry entry{at, kind, "", bytes.size()};
  std::size_t keep = kept_ < kMaxBytes ? std::min(bytes.size(), kMaxBytes - kept_) : 0;
  entry.bytes.assign(bytes.substr(0, keep));
  kept_ += keep;
  entries_.push_back(std::move(entry));
}

void Transcript::Note(std::string text) {
  entries_.push_back(
      Entry{std::chrono::steady_clock::now() - origin_, Kind::kNote, std::move(text), 0});
}

std::string Transcript::Render(std::size_t max_entry) const {
  std::string out;
  for (const Entry& e : entries_) {
    out += Offset(e.at);
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
