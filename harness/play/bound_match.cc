#include "harness/play/bound_match.h"

#include "harness/text/bytes_text.h"

namespace parley::harness {

std::optional<BoundMatch> BoundMatch::Bind(const TextMatch& match, const Variables& vars,
                                           std::string* error) {
  BoundMatch bound;
  bound.kind_ = match.kind;
  if (match.kind == TextMatch::Kind::kRegex && match.compiled) {
    bound.text_ = match.compiled->pattern();
    bound.regex_ = match.compiled;
    return bound;
  }
  std::optional<std::string> text;
  if (match.kind == TextMatch::Kind::kRegex) {
    text = match.pattern.Render(vars, error, [](std::string_view v) { return QuoteRegex(v); });
  } else {
    text = match.pattern.Render(vars, error);
  }
  if (!text) return std::nullopt;
  bound.text_ = std::move(*text);
  if (match.kind == TextMatch::Kind::kRegex) {
    bound.regex_ = Regex::Compile(bound.text_, error);
    if (!bound.regex_) {
      *error = "bad regex after substituting variables: " + *error;
      return std::nullopt;
    }
  }
  return bound;
}

bool BoundMatch::Matches(std::string_view text, std::vector<std::string>* groups) const {
  switch (kind_) {
    case TextMatch::Kind::kExact:
      return text == text_;
    case TextMatch::Kind::kContains:
      return text.find(text_) != std::string_view::npos;
    case TextMatch::Kind::kRegex: {
      std::vector<std::string> found;
      if (!regex_->Search(text, &found)) return false;
      if (groups != nullptr) groups->insert(groups->end(), found.begin(), found.end());
      return true;
    }
  }
  return false;
}

std::string BoundMatch::Describe() const {
  switch (kind_) {
    case TextMatch::Kind::kExact:
      return "exactly " + ShowBytes(text_);
    case TextMatch::Kind::kContains:
      return "containing " + ShowBytes(text_);
    case TextMatch::Kind::kRegex:
      return "matching /" + EscapeBytes(text_) + "/";
  }
  return text_;
}

std::string BoundMatch::ExplainMismatch(std::string_view actual) const {
  if (kind_ == TextMatch::Kind::kExact) return RenderDiff(text_, actual);
  return "expected: " + Describe() + "\n  actual: " + ShowBytes(actual);
}

std::optional<std::vector<BoundMatch>> BindAll(const std::vector<TextMatch>& matches,
                                               const Variables& vars, std::string* error) {
  std::vector<BoundMatch> bound;
  bound.reserve(matches.size());
  for (const TextMatch& match : matches) {
    auto one = BoundMatch::Bind(match, vars, error);
    if (!one) return std::nullopt;
    bound.push_back(std::move(*one));
  }
  return bound;
}

}  // namespace parley::harness
