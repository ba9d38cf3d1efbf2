// Text with `${name}` references, as scenarios write it in payloads, expectations, addresses and
// target arguments. A template is split once, when the scenario is loaded, into literal bytes
// and variable names, so playing it is a concatenation; `$${` stands for a literal `${`.
//
// Variable names are dotted words: `nick`, `target.port`, `targets.http.host`, `env.HOME`. An
// environment variable may have a default, used when it is not set: `${env.PORT:-8080}`.
// Literal parts may have had the scenario escapes (`\r`, `\x00`, ...) applied at parse time;
// values substituted at play time are inserted as they are, never unescaped again.
#ifndef PARLEY_HARNESS_SCENARIO_TEMPLATE_H_
#define PARLEY_HARNESS_SCENARIO_TEMPLATE_H_

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::harness {

// The values a scenario can refer to while it plays. A name is looked up among the values set,
// then asked of the source (if any), then, for names starting with `env.`, in the process
// environment. Values from the source and the environment are computed on first use and kept.
class Variables {
 public:
  // The value of a name that is not set, or nullopt.
  using Source = std::function<std::optional<std::string>(const std::string& name)>;

  Variables() = default;
  explicit Variables(Source source) : source_(std::move(source)) {}

  void Set(std::string name, std::string value) { values_[std::move(name)] = std::move(value); }
  // The value, or nullptr when the name is not defined (and, for `env.X`, X is not set).
  const std::string* Find(const std::string& name) const;
  // The values set (not those of the source or the environment).
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
  Source source_;
  mutable std::map<std::string, std::string> computed_;
};

class Template {
 public:
  struct Part {
    bool is_variable = false;
    std::string text;  // the bytes of a literal part, or the name of a variable
    // `${env.NAME:-TEXT}`: TEXT, used when NAME is not set (as written: no escapes, no `}`).
    std::optional<std::string> fallback = std::nullopt;
  };

  struct ParseError {
    std::size_t offset = 0;  // into the source text
    std::string message;
  };

  Template() = default;
  static Template Literal(std::string bytes);

  // Splits `source` at `${name}` references. With `unescape`, literal parts go through the
  // scenario escapes (UnescapeText). On error returns nullopt and fills `*error`.
  static std::optional<Template> Parse(std::string_view source, bool unescape, ParseError* error);

  // A function applied to each substituted value, e.g. quoting it for a regular expression.
  using Quote = std::function<std::string(std::string_view)>;

  // Concatenates the parts. On an undefined variable returns nullopt and names it in `*error`.
  std::optional<std::string> Render(const Variables& vars, std::string* error,
                                    const Quote& quote = nullptr) const;

  // Renders with every variable replaced by `placeholder(name)`; for checks at load time.
  std::string RenderWith(const std::function<std::string(const std::string&)>& placeholder) const;

  bool has_variables() const;
  bool empty() const { return parts_.empty(); }
  const std::vector<Part>& parts() const { return parts_; }
  // The text as written in the scenario, for messages.
  const std::string& source() const { return source_; }

 private:
  std::vector<Part> parts_;
  std::string source_;
};

// True for a well-formed variable name: words of [A-Za-z0-9_-] separated by dots, the first
// starting with a letter or underscore.
bool IsValidVariableName(std::string_view name);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_TEMPLATE_H_
