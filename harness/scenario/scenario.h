// The scenario model: what a YAML scenario file means once it is loaded and checked. The loader
// builds it, the player plays it, reports and seed export read it. Nothing here knows YAML or
// sockets.
//
// A scenario is a list of steps over named connections: connect, send, expect, close, pause,
// resume, sleep, signal. Every step remembers where it was written, so a failure can name
// file:line.
#ifndef PARLEY_HARNESS_SCENARIO_SCENARIO_H_
#define PARLEY_HARNESS_SCENARIO_SCENARIO_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "harness/scenario/duration.h"
#include "harness/scenario/regex.h"
#include "harness/scenario/template.h"

namespace parley::harness {

struct SourcePosition {
  int line = 0;  // 1-based
  int column = 0;
};

enum class Transport { kTcp, kUdp };

// Bytes to send or to expect: a concatenation of pieces.
struct Payload {
  struct Piece {
    enum class Kind { kText, kHex, kFile, kRepeat };
    Kind kind = Kind::kText;
    Template text;          // kText; kRepeat: the unit that is repeated
    std::string bytes;      // kHex, decoded
    std::string path;       // kFile, resolved against the scenario file's folder
    std::size_t count = 0;  // kRepeat
    SourcePosition where;
  };
  std::vector<Piece> pieces;
};

// How a piece of received text is judged.
struct TextMatch {
  enum class Kind { kExact, kContains, kRegex, kAnyOf };
  Kind kind = Kind::kExact;
  Template pattern;               // kExact, kContains, kRegex
  bool ignore_case = false;       // ASCII letters match in either case
  std::vector<TextMatch> any_of;  // kAnyOf: the alternatives, one of which must match
  int groups = 0;                 // capture groups: kRegex; kAnyOf: each alternative's
  std::optional<Regex> compiled;  // kRegex without variables: compiled once, at load time
  SourcePosition where;
};

struct HeaderCheck {
  enum class Kind { kMatch, kPresent, kAbsent };
  std::string name;
  Kind kind = Kind::kMatch;
  TextMatch value;  // kMatch: some field with this name must match
  SourcePosition where;
};

// One HTTP response, read by the harness's ResponseReader.
struct HttpCheck {
  std::vector<int> status;  // any of these; empty: any status
  std::optional<TextMatch> reason;
  std::vector<HeaderCheck> headers;
  std::optional<TextMatch> body;
  std::optional<std::size_t> body_length;
  std::optional<std::size_t> index;  // the first response checked is the N-th on the connection
  std::size_t count = 1;             // this many responses in a row must each pass the checks
};

// `tls:` on a connection, a starttls step or a target: what the client offers and checks.
// File paths are rendered when the step plays; a relative one is taken from `dir`.
struct TlsOptions {
  std::optional<Template> sni;  // absent: the host name (none for an IP address)
  bool no_sni = false;          // `sni: false`
  std::vector<std::string> alpn;
  bool verify = true;            // the certificate must verify (chain, name, dates)
  std::optional<Template> ca;    // trust these CAs instead of the system's
  std::optional<Template> cert;  // client certificate (PEM) ...
  std::optional<Template> key;   // ... and its key
  std::string min_version;       // "1.2", "1.3"; empty: 1.2
  std::string max_version;       // empty: the highest
  std::string ciphers;           // TLS 1.2 cipher list (OpenSSL syntax)
  std::string ciphersuites;      // TLS 1.3 suites
  std::string dir;               // the folder relative paths start from
  SourcePosition where;
};

// `expect: {tls: ...}`: what the connection's handshake negotiated.
struct TlsCheck {
  std::string version;            // "1.2", "1.3"; empty: any
  std::optional<TextMatch> alpn;  // "" matches "no ALPN agreed"
  std::optional<TextMatch> cipher;
  std::optional<TextMatch> subject;  // the peer certificate's, RFC 2253 ("CN=x,O=y")
  std::optional<TextMatch> issuer;
  std::vector<std::string> san;  // each must be among the peer's ("DNS:x", "IP:1.2.3.4")
};

struct ConnectStep {
  std::string name;
  Transport transport = Transport::kTcp;
  std::string target;               // empty with `address`
  std::optional<Template> address;  // "host:port"
  std::size_t receive_buffer = 0;   // SO_RCVBUF in bytes; 0: the system's default
  std::string line_ending;          // appended to each text send: "\r\n", "\n" or ""
  std::optional<TlsOptions> tls;    // absent: the target's (targets.yaml), else plain TCP
  bool plain = false;               // `tls: false`: plain TCP even to a TLS target
  // The TLS handshake must fail with a message matching this (the step then passes).
  std::optional<TextMatch> expect_failure;
};

// `starttls: {on: c, tls: {...}}`: upgrades an open plain connection (SMTP/IMAP STARTTLS).
struct StartTlsStep {
  std::string on;
  TlsOptions tls;
  std::optional<TextMatch> expect_failure;
};

struct CloseStep {
  enum class How { kBoth, kWrite, kReset };
  std::string on;
  How how = How::kBoth;
};

struct SendStep {
  std::string on;
  Payload payload;
  // The write is split into pieces of these sizes (the rest goes last); with `repeat_last`,
  // the last size is used again until the payload is written.
  std::vector<std::size_t> split;
  bool repeat_last = false;
  Duration delay{0};  // between pieces
  // Methods of the HTTP requests in this payload, in order, for reading their responses; by
  // default they are sniffed from the request lines.
  std::optional<std::vector<std::string>> methods;
  bool allow_close = false;  // the peer may close or reset before everything is written
  bool fuzz = true;          // `parley fuzz` may mutate this payload
};

// Reading from a connection stops (pause) or starts again (resume).
struct PauseStep {
  std::string on;
  bool resume = false;
};

struct ExpectStep {
  enum class Kind {
    kLine,
    kLines,
    kBytes,
    kContains,
    kDatagram,
    kSilence,
    kNever,
    kClosed,
    kReset,
    kHttp,
    kTls,
    kExit
  };
  Kind kind = Kind::kLine;
  std::string on;                    // the connection; empty for kExit
  std::string target;                // kExit
  std::vector<TextMatch> lines;      // kLine (one), kLines, kNever; kDatagram as text (one)
  bool any_order = false;            // kLines
  std::size_t skip = 0;              // kLine: lines that may come (and are dropped) before it
  Payload bytes;                     // kBytes, kContains; kDatagram as exact bytes
  Duration silence{0};               // kSilence; kNever: how long no such line may arrive
  HttpCheck http;                    // kHttp
  TlsCheck tls;                      // kTls
  int exit_code = 0;                 // kExit
  std::vector<std::string> capture;  // filled from the regex groups, in written order
  bool invariant = false;            // `parley fuzz`: must hold even after a mutated send
};

struct SleepStep {
  Duration duration{0};
};

struct SignalStep {
  std::string target;
  int signal = 0;
  std::string signal_name;  // "TERM"
};

struct Step {
  SourcePosition where;
  std::string file;     // empty: the scenario's own file; else the included file it came from
  std::string keyword;  // "connect", "send", ... as written
  std::variant<ConnectStep, CloseStep, SendStep, ExpectStep, SleepStep, SignalStep, PauseStep,
               StartTlsStep>
      action;
  Duration timeout{0};  // resolved: the step's own or the scenario's
  int retries = 0;
  Duration retry_delay{100};
};

// A target the scenario plays against. With arguments (or `fresh`, or a signal step) it gets a
// process of its own.
struct TargetUse {
  std::string name;
  std::vector<Template> args;
  bool fresh = false;
  SourcePosition where;
};

struct Scenario {
  std::string name;
  std::string file;  // as given to the loader
  std::string dir;   // the folder holding `file`; payload files resolve against it
  SourcePosition where;
  int index = 0;  // position in its file
  std::string description;
  std::vector<std::string> tags;
  std::string skip;                // a reason, or empty
  std::string target;              // the default for connections; may be empty
  std::vector<TargetUse> targets;  // every target used, the default first
  Duration timeout{5000};
  std::vector<std::pair<std::string, Template>> vars;
  std::vector<Step> steps;

  const TargetUse* FindTarget(const std::string& name) const;
  // True when a tag is present.
  bool HasTag(const std::string& tag) const;
};

constexpr Duration kDefaultTimeout{5000};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_SCENARIO_H_
