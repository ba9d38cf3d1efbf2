// Normalizer: the values in recorded bytes that differ between runs, found and replaced so that
// the scenario passes on replay. Recorded text becomes a list of pieces: literal bytes,
// `${variable}` references, wildcards (a pattern that matches whatever the replay brings) and
// captures (a wildcard whose value is kept in a variable for later steps).
//
//   - addresses: where the client reached the recorder and where the recorder reached the
//     server ("127.0.0.1:40000") become one variable (`${target.address}` or `${server}`), in
//     what clients send (a Host header) and in what the server sends back;
//   - the port the server saw the recorder connect from (a "peer" line) becomes `\d+`;
//   - counters (with `counters`): a word of letters then digits that the server sends before
//     any client did (`guest7`) becomes a capture `(guest\d+)` the first time, and the captured
//     variable everywhere after, in sends and expectations alike;
//   - `patterns` (--volatile): each match of these RE2 patterns, the same way.
//
// Pure: bytes in, pieces out. The state is the set of values already captured.
#ifndef PARLEY_HARNESS_RECORD_NORMALIZER_H_
#define PARLEY_HARNESS_RECORD_NORMALIZER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace parley::harness {

struct TextPiece {
  enum class Kind { kLiteral, kVariable, kWildcard, kCapture };
  Kind kind = Kind::kLiteral;
  std::string text;  // kLiteral: bytes; kVariable: the name; kWildcard, kCapture: an RE2 pattern
  std::string name;  // kCapture: the variable it sets
};
using Pieces = std::vector<TextPiece>;

struct NormalizeOptions {
  std::vector<std::string> addresses;  // literal "HOST:PORT" texts that stand for the server
  std::string address_variable = "server";
  std::vector<std::string> patterns;  // RE2 patterns of volatile values, without groups
};

class Normalizer {
 public:
  // `*error` names a pattern that does not compile or has groups; then valid() is false.
  Normalizer(NormalizeOptions options, std::string* error);
  ~Normalizer();
  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  bool valid() const { return valid_; }

  // A port the server sees connections come from: a wildcard wherever the server sends it.
  void AddPeerPort(std::uint16_t port) { peer_ports_.insert(std::to_string(port)); }

  // What a client sent: known values become variables; counters the client sends first stay
  // literal for good (the client chose them).
  Pieces Sent(std::string_view bytes, bool counters);
  // What the server sent. Without `allow_capture`, a new value becomes a wildcard and is not
  // remembered. Bytes that are not UTF-8 get only the address variable.
  Pieces Received(std::string_view bytes, bool counters, bool allow_capture);

 private:
  struct Hit {
    std::size_t begin = 0;
    std::size_t end = 0;
    enum class What { kAddress, kPort, kValue } what = What::kAddress;
    std::string pattern;  // kValue: what a capture of it matches
  };
  std::vector<Hit> Find(std::string_view bytes, bool counters, bool server) const;
  Pieces Build(std::string_view bytes, const std::vector<Hit>& hits, bool server,
               bool allow_capture);
  std::string NewName(std::string_view value);

  NormalizeOptions options_;
  std::vector<std::unique_ptr<re2::RE2>> patterns_;
  bool valid_ = true;
  std::set<std::string> peer_ports_;
  std::map<std::string, std::string> captured_;  // value -> variable
  std::set<std::string> chosen_;                 // values a client sent first
  std::map<std::string, int> names_;             // prefix -> last number used
};

// True when `pieces` need a regex (a wildcard or a capture).
bool NeedsRegex(const Pieces& pieces);
// The template source of pieces without wildcards: escaped literals and `${name}`.
std::string TemplateSource(const Pieces& pieces);
// An RE2 pattern of the pieces (variables as `${name}`, which the player quotes).
std::string RegexSource(const Pieces& pieces);
// The variables the pieces' captures set, in order.
std::vector<std::string> CaptureNames(const Pieces& pieces);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_RECORD_NORMALIZER_H_
