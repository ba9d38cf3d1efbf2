#include "harness/record/normalizer.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

#include "harness/record/yaml_text.h"

namespace parley::harness {
namespace {

bool IsWordByte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// A counter: letters then digits, the whole word ("guest7", not "invalid-utf8" or "h1b").
std::size_t CounterPrefix(std::string_view word) {
  std::size_t letters = 0;
  while (letters < word.size() && IsAlpha(word[letters]))
    ++letters;
  if (letters == 0 || letters == word.size()) return 0;
  for (std::size_t i = letters; i < word.size(); ++i) {
    if (!IsDigit(word[i])) return 0;
  }
  return letters;
}

// Calls `f(begin, end)` for each maximal run of bytes for which `in_run` holds.
template <class Pred, class F>
void ForEachRun(std::string_view bytes, Pred in_run, F f) {
  for (std::size_t i = 0; i < bytes.size();) {
    if (!in_run(bytes[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < bytes.size() && in_run(bytes[end]))
      ++end;
    f(i, end);
    i = end;
  }
}

void AddPiece(Pieces* pieces, TextPiece::Kind kind, std::string text, std::string name = {}) {
  if (kind == TextPiece::Kind::kLiteral) {
    if (text.empty()) return;
    if (!pieces->empty() && pieces->back().kind == TextPiece::Kind::kLiteral) {
      pieces->back().text += text;
      return;
    }
  }
  pieces->push_back({kind, std::move(text), std::move(name)});
}

}  // namespace

Normalizer::Normalizer(NormalizeOptions options, std::string* error)
    : options_(std::move(options)) {
  for (const std::string& p : options_.patterns) {
    RE2::Options re_options;
    re_options.set_log_errors(false);
    auto re = std::make_unique<re2::RE2>(p, re_options);
    if (!re->ok()) {
      *error = "--volatile '" + p + "': " + re->error();
      valid_ = false;
    } else if (re->NumberOfCapturingGroups() != 0) {
      *error = "--volatile '" + p + "' has a capture group; write (?:...) instead";
      valid_ = false;
    }
    patterns_.push_back(std::move(re));
  }
}

Normalizer::~Normalizer() = default;

std::vector<Normalizer::Hit> Normalizer::Find(std::string_view bytes, bool counters,
                                              bool server) const {
  std::vector<Hit> hits;
  for (const std::string& address : options_.addresses) {
    if (address.empty()) continue;
    for (std::size_t at = bytes.find(address); at != std::string_view::npos;
         at = bytes.find(address, at + address.size())) {
      hits.push_back({at, at + address.size(), Hit::What::kAddress, {}});
    }
  }
  bool utf8 = IsUtf8(bytes);
  if (!utf8) return hits;
  if (server && !peer_ports_.empty()) {
    ForEachRun(bytes, IsDigit, [&](std::size_t begin, std::size_t end) {
      if (peer_ports_.count(std::string(bytes.substr(begin, end - begin))) != 0) {
        hits.push_back({begin, end, Hit::What::kPort, {}});
      }
    });
  }
  if (counters) {
    ForEachRun(bytes, IsWordByte, [&](std::size_t begin, std::size_t end) {
      std::size_t letters = CounterPrefix(bytes.substr(begin, end - begin));
      if (letters != 0) {
        hits.push_back(
            {begin, end, Hit::What::kValue, RegexLiteral(bytes.substr(begin, letters)) + "\\d+"});
      }
    });
  }
  for (std::size_t k = 0; k < patterns_.size(); ++k) {
    re2::StringPiece input(bytes.data(), bytes.size());
    re2::StringPiece match;
    std::size_t at = 0;
    while (at <= bytes.size() &&
           patterns_[k]->Match(input, at, bytes.size(), RE2::UNANCHORED, &match, 1)) {
      std::size_t begin = static_cast<std::size_t>(match.data() - bytes.data());
      std::size_t end = begin + match.size();
      if (end > begin) {
        hits.push_back({begin, end, Hit::What::kValue, "(?:" + options_.patterns[k] + ")"});
      }
      at = end > begin ? end : begin + 1;
    }
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.what != b.what) return a.what < b.what;
    return a.end > b.end;
  });
  std::vector<Hit> kept;
  for (Hit& h : hits) {
    if (!kept.empty() && h.begin < kept.back().end) continue;
    kept.push_back(std::move(h));
  }
  return kept;
}

Pieces Normalizer::Build(std::string_view bytes, const std::vector<Hit>& hits, bool server,
                         bool allow_capture) {
  Pieces pieces;
  std::set<std::string> fresh;  // captured by these pieces: not yet a variable inside them
  std::size_t at = 0;
  for (const Hit& h : hits) {
    AddPiece(&pieces, TextPiece::Kind::kLiteral, std::string(bytes.substr(at, h.begin - at)));
    at = h.end;
    std::string value(bytes.substr(h.begin, h.end - h.begin));
    switch (h.what) {
      case Hit::What::kAddress:
        AddPiece(&pieces, TextPiece::Kind::kVariable, options_.address_variable);
        continue;
      case Hit::What::kPort:
        AddPiece(&pieces, TextPiece::Kind::kWildcard, "\\d+");
        continue;
      case Hit::What::kValue:
        break;
    }
    if (fresh.count(value) != 0) {
      AddPiece(&pieces, TextPiece::Kind::kWildcard, h.pattern);
    } else if (auto it = captured_.find(value); it != captured_.end()) {
      AddPiece(&pieces, TextPiece::Kind::kVariable, it->second);
    } else if (!server) {
      chosen_.insert(value);
      AddPiece(&pieces, TextPiece::Kind::kLiteral, value);
    } else if (chosen_.count(value) != 0) {
      AddPiece(&pieces, TextPiece::Kind::kLiteral, value);
    } else if (allow_capture) {
      std::string name = NewName(value);
      captured_[value] = name;
      fresh.insert(value);
      AddPiece(&pieces, TextPiece::Kind::kCapture, h.pattern, name);
    } else {
      AddPiece(&pieces, TextPiece::Kind::kWildcard, h.pattern);
    }
  }
  AddPiece(&pieces, TextPiece::Kind::kLiteral, std::string(bytes.substr(at)));
  return pieces;
}

Pieces Normalizer::Sent(std::string_view bytes, bool counters) {
  return Build(bytes, Find(bytes, counters, false), false, false);
}

Pieces Normalizer::Received(std::string_view bytes, bool counters, bool allow_capture) {
  return Build(bytes, Find(bytes, counters, true), true, allow_capture);
}

std::string Normalizer::NewName(std::string_view value) {
  std::string prefix;
  for (char c : value) {
    if (!IsAlpha(c) || prefix.size() == 16) break;
    prefix += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (prefix.empty()) prefix = "value";
  return prefix + "_" + std::to_string(++names_[prefix]);
}

bool NeedsRegex(const Pieces& pieces) {
  return std::any_of(pieces.begin(), pieces.end(), [](const TextPiece& p) {
    return p.kind == TextPiece::Kind::kWildcard || p.kind == TextPiece::Kind::kCapture;
  });
}

std::string TemplateSource(const Pieces& pieces) {
  std::string out;
  for (const TextPiece& p : pieces) {
    if (p.kind == TextPiece::Kind::kLiteral) {
      out += TemplateText(p.text);
    } else if (p.kind == TextPiece::Kind::kVariable) {
      out += "${" + p.text + "}";
    }
  }
  return out;
}

std::string RegexSource(const Pieces& pieces) {
  std::string out;
  for (const TextPiece& p : pieces) {
    switch (p.kind) {
      case TextPiece::Kind::kLiteral:
        out += RegexLiteral(p.text);
        break;
      case TextPiece::Kind::kVariable:
        out += "${" + p.text + "}";
        break;
      case TextPiece::Kind::kWildcard:
        out += p.text;
        break;
      case TextPiece::Kind::kCapture:
        out += "(" + p.text + ")";
        break;
    }
  }
  return out;
}

std::vector<std::string> CaptureNames(const Pieces& pieces) {
  std::vector<std::string> names;
  for (const TextPiece& p : pieces) {
    if (p.kind == TextPiece::Kind::kCapture) names.push_back(p.name);
  }
  return names;
}

}  // namespace parley::harness
