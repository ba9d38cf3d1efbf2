#include "harness/record/stream_writers.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "harness/http/request_sniffer.h"
#include "harness/http/response_reader.h"
#include "harness/record/yaml_text.h"
#include "harness/scenario/regex.h"
#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// True when the pieces are plain bytes: what was recorded will come again, byte for byte.
bool IsLiteral(const Pieces& pieces) {
  return pieces.empty() || (pieces.size() == 1 && pieces[0].kind == TextPiece::Kind::kLiteral);
}

// ", capture: [a, b]" or nothing.
std::string CaptureYaml(const Pieces& pieces) {
  std::vector<std::string> names = CaptureNames(pieces);
  if (names.empty()) return "";
  std::string out = ", capture: [";
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : ", ") + names[i];
  return out + "]";
}

std::string Expect(const std::string& on, std::string_view what) {
  return "expect: {on: " + on + ", " + std::string(what) + "}";
}

// An expectation that takes `bytes`: exactly (text with variables, or hex), or, when they hold
// a value a bytes payload cannot match (a wildcard), up to their last literal part with
// `contains`, so that a later `closed` does not find them unread.
void TakeBytes(const std::string& on, std::string_view bytes, Normalizer* normalizer,
               StepList* steps) {
  if (LooksBinary(bytes)) {
    steps->Add(Expect(on, "bytes: {hex: " + SingleQuoted(HexText(bytes)) + "}"));
    return;
  }
  Pieces pieces = normalizer->Received(bytes, false, false);
  if (!NeedsRegex(pieces)) {
    steps->Add(Expect(on, "bytes: " + SingleQuoted(TemplateSource(pieces))));
    return;
  }
  steps->Comment(on + ": checked up to its end only (it holds a value that changes between " +
                 "runs): " + ShowBytes(bytes, 120));
  if (pieces.back().kind == TextPiece::Kind::kLiteral) {
    steps->Add(Expect(on, "contains: " + SingleQuoted(TemplateText(pieces.back().text))));
  }
}

class LineWriter : public StreamWriter {
 public:
  LineWriter(std::string on, Normalizer* normalizer) : on_(std::move(on)), n_(normalizer) {}

  void ServerBytes(std::string_view bytes, StepList* steps) override {
    pending_ += bytes;
    std::size_t start = 0;
    for (std::size_t lf = pending_.find('\n'); lf != std::string::npos;
         lf = pending_.find('\n', start)) {
      std::string_view line = std::string_view(pending_).substr(start, lf - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      WriteLine(line, steps);
      start = lf + 1;
    }
    pending_.erase(0, start);
  }

  void End(StepList* steps) override {
    if (pending_.empty()) return;
    TakeBytes(on_, pending_, n_, steps);
    pending_.clear();
  }

 private:
  void WriteLine(std::string_view line, StepList* steps) {
    Pieces pieces = n_->Received(line, true, true);
    steps->Add(Expect(on_, "line: " + MatchYaml(pieces) + CaptureYaml(pieces)));
  }

  std::string on_;
  Normalizer* n_;
  std::string pending_;  // a line not yet ended
};

class BytesWriter : public StreamWriter {
 public:
  BytesWriter(std::string on, Normalizer* normalizer) : on_(std::move(on)), n_(normalizer) {}

  void ServerBytes(std::string_view bytes, StepList*) override { pending_ += bytes; }

  void Flush(StepList* steps) override {
    if (pending_.empty()) return;
    TakeBytes(on_, pending_, n_, steps);
    pending_.clear();
  }

  void End(StepList* steps) override { Flush(steps); }

 private:
  std::string on_;
  Normalizer* n_;
  std::string pending_;
};

class DatagramWriter : public StreamWriter {
 public:
  DatagramWriter(std::string on, Normalizer* normalizer) : on_(std::move(on)), n_(normalizer) {}

  void ServerBytes(std::string_view bytes, StepList* steps) override {
    if (LooksBinary(bytes)) {
      steps->Add(Expect(on_, "datagram: {hex: " + SingleQuoted(HexText(bytes)) + "}"));
      return;
    }
    Pieces pieces = n_->Received(bytes, true, true);
    steps->Add(Expect(on_, "datagram: " + MatchYaml(pieces) + CaptureYaml(pieces)));
  }

  void End(StepList*) override {}

 private:
  std::string on_;
  Normalizer* n_;
};

class HttpWriter : public StreamWriter {
 public:
  HttpWriter(std::string on, Normalizer* normalizer, const HeaderPolicy* policy)
      : on_(std::move(on)), n_(normalizer), policy_(policy) {}

  void ClientBytes(std::string_view bytes) override {
    for (const std::string& method : sniffer_.Feed(bytes))
      reader_.ExpectResponseTo(method);
  }

  void ServerBytes(std::string_view bytes, StepList* steps) override {
    if (reader_.failed()) return;
    reader_.Feed(bytes);
    Drain(steps);
  }

  void End(StepList* steps) override {
    if (ended_) return;
    ended_ = true;
    if (!reader_.failed()) reader_.FeedEof();
    Drain(steps);
  }

 private:
  void Drain(StepList* steps) {
    while (std::optional<HttpResponse> r = reader_.Next())
      steps->Add(ResponseYaml(*r));
    if (reader_.failed() && !reported_) {
      reported_ = true;
      steps->Comment(on_ + ": the rest of what the server sent is not checked: it is not a " +
                     "well-formed HTTP response (" + reader_.error() + ")");
    }
  }

  std::string ResponseYaml(const HttpResponse& r) {
    BodyCheck body = BodyYaml(r);
    std::string y =
        "expect:\n  on: " + on_ + "\n  http:\n    status: " + std::to_string(r.status) + "\n";
    y += "    reason: " + SingleQuoted(TemplateText(r.reason)) + "\n";
    std::string headers;
    std::set<std::string> seen;
    for (const auto& [name, value] : r.headers) {
      std::string lower = Lower(name);
      if (!seen.insert(lower).second || policy_->drop.count(lower) != 0) continue;
      std::string check;
      bool kept = policy_->keep.count(lower) != 0;
      if (!kept && policy_->present.count(lower) != 0) {
        check = "{present: true}";
      } else if (!kept && lower == "set-cookie") {
        check = "{regex: " + SingleQuoted(CookieRegex(value)) + "}";
      } else if (lower == "content-length" && body.varies) {
        check = "{regex: '^\\d+$'}";
      } else {
        check = MatchYaml(n_->Received(value, false, false));
      }
      headers += "      " + SingleQuoted(TemplateText(name)) + ": " + check + "\n";
    }
    if (!headers.empty()) y += "    headers:\n" + headers;
    if (body.yaml) y += "    body: " + *body.yaml + "\n";
    y.pop_back();
    return y;
  }

  struct BodyCheck {
    std::optional<std::string> yaml;  // nullopt: the body is not checked
    bool varies = false;              // its length may differ on replay
  };

  BodyCheck BodyYaml(const HttpResponse& r) {
    if (r.body_size > HeaderPolicy::kExactBody) {
      // Its length, unless it holds a value that may differ, and the start of its first line.
      bool varies = !IsLiteral(n_->Received(r.body, false, false));
      std::string_view first = std::string_view(r.body).substr(0, 64);
      first = first.substr(0, first.find('\n'));
      std::string contains;
      if (first.size() >= 4 && IsUtf8(first) && !LooksBinary(first) &&
          first.find_first_of("\r\t") == std::string_view::npos &&
          IsLiteral(n_->Received(first, false, false))) {
        contains = "contains: " + SingleQuoted(TemplateText(first));
      }
      if (!varies) {
        return {"{length: " + std::to_string(r.body_size) +
                (contains.empty() ? "" : ", " + contains) + "}"};
      }
      if (contains.empty()) return {std::nullopt, true};
      return {"{" + contains + "}", true};
    }
    if (r.body.empty()) return {r.body_size == 0 ? std::optional<std::string>("''") : std::nullopt};
    Pieces pieces = n_->Received(r.body, false, false);
    bool varies = !IsLiteral(pieces);
    if (!NeedsRegex(pieces)) return {SingleQuoted(TemplateSource(pieces)), varies};
    std::string pattern = "(?s)^" + RegexSource(pieces) + "$";
    if (pattern.size() > Regex::kMaxPatternBytes) return {std::nullopt, varies};
    return {"{regex: " + SingleQuoted(pattern) + "}", varies};
  }

  // "name=value; Path=/; Expires=Thu, 01 Jan 2027 00:00:00 GMT" with the value and the expiry
  // (Expires, Max-Age) matching any.
  static std::string CookieRegex(std::string_view cookie) {
    std::string out = "^";
    std::size_t eq = cookie.find('=');
    std::size_t semi = cookie.find(';');
    if (eq == std::string_view::npos || (semi != std::string_view::npos && eq > semi)) {
      return "^" + RegexLiteral(cookie) + "$";
    }
    out += RegexLiteral(cookie.substr(0, eq + 1)) + "[^;]*";
    while (semi != std::string_view::npos) {
      std::size_t next = cookie.find(';', semi + 1);
      std::string_view attribute = cookie.substr(
          semi, next == std::string_view::npos ? std::string_view::npos : next - semi);
      std::size_t aeq = attribute.find('=');
      std::string key = Lower(attribute.substr(0, aeq));
      key.erase(0, key.find_first_not_of("; "));
      if (aeq != std::string_view::npos && (key == "expires" || key == "max-age")) {
        out += RegexLiteral(attribute.substr(0, aeq + 1)) + "[^;]*";
      } else {
        out += RegexLiteral(attribute);
      }
      semi = next;
    }
    return out + "$";
  }

  std::string on_;
  Normalizer* n_;
  const HeaderPolicy* policy_;
  RequestSniffer sniffer_;
  ResponseReader reader_;
  bool reported_ = false;
  bool ended_ = false;
};

}  // namespace

void StepList::Add(std::string_view step) {
  text_ += "  - ";
  for (char c : step) {
    text_ += c;
    if (c == '\n') text_ += "    ";
  }
  text_ += '\n';
  ++steps_;
}

void StepList::Comment(std::string_view text) {
  std::string line(text);
  std::replace(line.begin(), line.end(), '\n', ' ');
  text_ += "  # " + line + "\n";
}

const char* ProtocolName(StreamProtocol p) {
  switch (p) {
    case StreamProtocol::kHttp:
      return "http";
    case StreamProtocol::kLines:
      return "lines";
    case StreamProtocol::kBytes:
      return "bytes";
    case StreamProtocol::kDatagram:
      return "datagrams";
  }
  return "?";
}

std::unique_ptr<StreamWriter> MakeStreamWriter(StreamProtocol protocol, std::string connection,
                                               Normalizer* normalizer, const HeaderPolicy* policy) {
  switch (protocol) {
    case StreamProtocol::kHttp:
      return std::make_unique<HttpWriter>(std::move(connection), normalizer, policy);
    case StreamProtocol::kLines:
      return std::make_unique<LineWriter>(std::move(connection), normalizer);
    case StreamProtocol::kBytes:
      return std::make_unique<BytesWriter>(std::move(connection), normalizer);
    case StreamProtocol::kDatagram:
      return std::make_unique<DatagramWriter>(std::move(connection), normalizer);
  }
  return nullptr;
}

std::string MatchYaml(const Pieces& pieces, std::string_view prefix) {
  if (!NeedsRegex(pieces)) return SingleQuoted(TemplateSource(pieces));
  return "{regex: " + SingleQuoted(std::string(prefix) + "^" + RegexSource(pieces) + "$") + "}";
}

}  // namespace parley::harness
