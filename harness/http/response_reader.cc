#include "harness/http/response_reader.h"

#include <algorithm>
#include <array>
#include <limits>

#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Room for the fields of a typical head, so that they are stored without regrowing.
constexpr std::size_t kFieldsReserved = 8;

// The classes of a byte, as bits of kByteClass.
constexpr std::uint8_t kTokenClass = 1;       // tchar (RFC 9110 section 5.6.2)
constexpr std::uint8_t kVisibleClass = 2;     // VCHAR or obs-text
constexpr std::uint8_t kWhitespaceClass = 4;  // SP or HTAB

constexpr std::array<std::uint8_t, 256> kByteClass = [] {
  std::array<std::uint8_t, 256> classes{};
  for (int byte = 0x21; byte < 0x100; ++byte) {
    if (byte != 0x7F) classes[byte] = kVisibleClass;
  }
  for (int byte = '0'; byte <= '9'; ++byte)
    classes[byte] |= kTokenClass;
  for (int byte = 'a'; byte <= 'z'; ++byte) {
    classes[byte] |= kTokenClass;
    classes[byte - 'a' + 'A'] |= kTokenClass;
  }
  for (char c : std::string_view("!#$%&'*+-.^_`|~"))
    classes[static_cast<unsigned char>(c)] |= kTokenClass;
  classes[' '] = kWhitespaceClass;
  classes['\t'] = kWhitespaceClass;
  return classes;
}();

bool HasClass(char c, std::uint8_t classes) {
  return (kByteClass[static_cast<unsigned char>(c)] & classes) != 0;
}

bool IsTokenChar(char c) {
  return HasClass(c, kTokenClass);
}

bool IsWhitespace(char c) {
  return HasClass(c, kWhitespaceClass);
}

bool IsVisible(char c) {
  return HasClass(c, kVisibleClass);
}

bool IsToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsTokenChar);
}

char Lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && IsWhitespace(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && IsWhitespace(text.back()))
    text.remove_suffix(1);
  return text;
}

// The comma-separated elements of a field value, trimmed (RFC 9110 section 5.6.1).
std::vector<std::string_view> SplitList(std::string_view value) {
  std::vector<std::string_view> items;
  for (std::size_t start = 0;;) {
    const std::size_t comma = value.find(',', start);
    items.push_back(TrimWhitespace(value.substr(start, comma - start)));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

// How a byte is named in an error message.
std::string Shown(char c) {
  switch (c) {
    case '\r':
      return "CR";
    case '\n':
      return "LF";
    case ' ':
      return "SP";
    case '\t':
      return "HTAB";
  }
  const auto byte = static_cast<unsigned char>(c);
  if (byte > 0x20 && byte < 0x7F) return std::string("'") + c + "'";
  constexpr std::string_view kHex = "0123456789ABCDEF";
  return std::string("0x") + kHex[byte >> 4] + kHex[byte & 0x0F];
}

std::string Got(char c) {
  return ", got " + Shown(c);
}

std::string Unexpected(char c, std::string_view where) {
  if (c == '\n') return "bare LF in " + std::string(where) + " (lines must end with CRLF)";
  return "invalid " + Shown(c) + " in " + std::string(where);
}

std::string Quoted(std::string_view value) {
  return "\"" + EscapeBytes(value) + "\"";
}

// An error about a whole field, located at the start of its line.
struct Problem {
  std::uint64_t at = 0;
  std::string what;  // empty: no problem
};

}  // namespace

std::optional<std::string_view> HttpResponse::Header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (EqualsIgnoreCase(field, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string_view> HttpResponse::Headers(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [field, value] : headers) {
    if (EqualsIgnoreCase(field, name)) values.push_back(value);
  }
  return values;
}

struct ResponseReader::Framing {
  bool has_length = false;
  std::uint64_t length = 0;
  std::uint64_t length_at = 0;  // the first Content-Length line
  bool has_codings = false;
  std::size_t codings = 0;
  std::size_t chunked_codings = 0;
  bool chunked = false;          // chunked is the final transfer coding
  std::uint64_t codings_at = 0;  // the first Transfer-Encoding line

  // Reads every Content-Length and Transfer-Encoding field of `fields`, which start at
  // `offsets`; returns the first problem found.
  Problem Read(const Fields& fields, const std::vector<std::uint64_t>& offsets) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const auto& [name, value] = fields[i];
      std::string what;
      if (EqualsIgnoreCase(name, "Content-Length")) what = AddLength(value, offsets[i]);
      if (EqualsIgnoreCase(name, "Transfer-Encoding")) what = AddCodings(value, offsets[i]);
      if (!what.empty()) return {offsets[i], what};
    }
    if (has_codings && codings == 0) return {codings_at, "Transfer-Encoding names no coding"};
    if (chunked_codings > 1) return {codings_at, "chunked is applied more than once"};
    return {};
  }

  // RFC 9110 section 8.6 and RFC 9112 section 6.1: a server must not send these fields in a 1xx
  // or 204 response.
  Problem ForbiddenIn(int status) const {
    if (status >= 200 && status != 204) return {};
    const std::string prefix = "a " + std::to_string(status) + " response must not have ";
    if (has_length) return {length_at, prefix + "Content-Length"};
    if (has_codings) return {codings_at, prefix + "Transfer-Encoding"};
    return {};
  }

  // A value is one decimal number, or a list of equal ones (RFC 9110 section 8.6 lets a
  // recipient accept such duplicates); every field must agree.
  std::string AddLength(std::string_view value, std::uint64_t at) {
    for (std::string_view item : SplitList(value)) {
      std::uint64_t number = 0;
      if (item.empty()) return "Content-Length " + Quoted(value) + " has an empty element";
      for (char c : item) {
        if (!IsDigit(c)) return "Content-Length " + Quoted(value) + " is not a decimal number";
        if (number > (std::numeric_limits<std::uint64_t>::max() - (c - '0')) / 10) {
          return "Content-Length " + Quoted(value) + " is too large";
        }
        number = number * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (has_length && number != length) {
        return "conflicting Content-Length values " + std::to_string(length) + " and " +
               std::to_string(number);
      }
      if (!has_length) length_at = at;
      has_length = true;
      length = number;
    }
    return {};
  }

  // A list of codings, each a token with optional parameters; empty elements are ignored as
  // RFC 9110 section 5.6.1 asks.
  std::string AddCodings(std::string_view value, std::uint64_t at) {
    if (!has_codings) codings_at = at;
    has_codings = true;
    for (std::string_view item : SplitList(value)) {
      if (item.empty()) continue;
      const std::string_view name = TrimWhitespace(item.substr(0, item.find(';')));
      if (!IsToken(name)) return "Transfer-Encoding " + Quoted(value) + " is not a list of codings";
      ++codings;
      chunked = EqualsIgnoreCase(name, "chunked");
      if (chunked) ++chunked_codings;
    }
    return {};
  }
};

ResponseReader::ResponseReader(const ResponseLimits& limits) : limits_(limits) {}

void ResponseReader::ExpectResponseTo(std::string_view method) {
  methods_.push_back(std::string(method));
}

std::size_t ResponseReader::Feed(std::string_view bytes) {
  if (failed() || bytes.empty()) return 0;
  if (eof_) {
    Fail(offset_, "bytes arrived after the end of the stream");
    return 0;
  }
  std::size_t used = 0;
  while (used < bytes.size() && !failed()) {
    const std::string_view rest = bytes.substr(used);
    const std::uint64_t start = offset_;
    const bool in_head = !head_read_;
    const std::size_t taken = Consume(rest);
    if (in_head) {
      const std::uint64_t head = head_read_ ? head_end_ - start : taken;
      current_.head.append(rest.substr(0, static_cast<std::size_t>(head)));
    }
    used += taken;
    if (state_ == State::kComplete) {
      FinishResponse();
    } else if (taken == 0 && !failed()) {
      Fail(offset_, "internal error: the reader made no progress");  // never spin
    }
  }
  return used;
}

void ResponseReader::FeedEof() {
  if (failed() || eof_) return;
  eof_ = true;
  if (state_ == State::kCloseBody) {
    current_.close_delimited = true;
    FinishResponse();
  } else if (in_progress()) {
    Fail(offset_, "the connection closed " + Place());
  }
}

std::optional<HttpResponse> ResponseReader::Next() {
  if (ready_.empty()) return std::nullopt;
  return ready_.pop_front();
}

bool ResponseReader::in_progress() const {
  if (failed() || state_ == State::kSwitched) return false;
  return state_ != State::kVersion || matched_ > 0;
}

// Each call consumes at least one byte unless the reader fails or the state is kComplete.
std::size_t ResponseReader::Consume(std::string_view bytes) {
  switch (state_) {
    case State::kLengthBody:
      return ConsumeLengthBody(bytes);
    case State::kCloseBody:
      return ConsumeCloseBody(bytes);
    case State::kChunkData:
      return ConsumeChunkData(bytes);
    case State::kSwitched:
      Fail(offset_, "bytes arrived after the connection switched protocols");
      return 0;
    default:
      return ConsumeBytewise(bytes);
  }
}

std::size_t ResponseReader::ConsumeBytewise(std::string_view bytes) {
  std::size_t used = 0;
  const auto bytewise = [this] {
    return state_ != State::kLengthBody && state_ != State::kCloseBody &&
           state_ != State::kChunkData && state_ != State::kComplete;
  };
  const auto in_text = [this] {
    return state_ == State::kReason || state_ == State::kFieldName || state_ == State::kFieldValue;
  };
  while (used < bytes.size() && bytewise()) {
    if (in_text()) {
      if (const std::size_t run = ConsumeRun(bytes.substr(used)); run > 0) {
        used += run;
        offset_ += run;
        continue;
      }
    }
    if (!CountByte() || !Byte(bytes[used])) break;
    ++used;
    ++offset_;
  }
  return used;
}

// Most bytes of a head are the text of a reason phrase, a field name or a field value, where
// every byte of the right class is taken as it is: such a run is checked against the class
// table and appended in one step. Whatever ends the run (CR, a colon, a byte not allowed there,
// the head limit) is left to Byte() and CountByte(), which judge it and name it in errors.
std::size_t ResponseReader::ConsumeRun(std::string_view bytes) {
  std::string* text = nullptr;
  std::uint8_t classes = kVisibleClass | kWhitespaceClass;
  switch (state_) {
    case State::kReason:
      text = &current_.reason;
      break;
    case State::kFieldName:
      text = &field_name_;
      classes = kTokenClass;
      break;
    case State::kFieldValue:
      // Whitespace before the value is dropped, one byte at a time, by FieldValueByte.
      if (field_value_.empty() && !IsVisible(bytes[0])) return 0;
      text = &field_value_;
      break;
    default:
      return 0;
  }
  const std::size_t left = section_ < limits_.max_head ? limits_.max_head - section_ : 0;
  const std::size_t room = std::min(bytes.size(), left);
  const char* const start = bytes.data();
  const char* const end = start + room;
  const char* at = start;
  while (at != end && HasClass(*at, classes))
    ++at;
  const auto run = static_cast<std::size_t>(at - start);
  text->append(start, run);
  section_ += run;
  return run;
}

std::size_t ResponseReader::ConsumeLengthBody(std::string_view bytes) {
  const auto taken = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size()));
  AddBody(bytes.substr(0, taken));
  remaining_ -= taken;
  offset_ += taken;
  if (remaining_ == 0) state_ = State::kComplete;
  return taken;
}

std::size_t ResponseReader::ConsumeCloseBody(std::string_view bytes) {
  const std::size_t room = limits_.max_body - current_.body_size;
  const std::size_t taken = std::min(room, bytes.size());
  AddBody(bytes.substr(0, taken));
  offset_ += taken;
  if (taken < bytes.size()) {
    Fail(offset_, "the body exceeds the " + std::to_string(limits_.max_body) + "-byte limit");
  }
  return taken;
}

std::size_t ResponseReader::ConsumeChunkData(std::string_view bytes) {
  const auto taken = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size()));
  AddBody(bytes.substr(0, taken));
  remaining_ -= taken;
  offset_ += taken;
  if (remaining_ == 0) state_ = State::kChunkDataCr;
  return taken;
}

// Charges the byte about to be read to the limit of the part it belongs to.
bool ResponseReader::CountByte() {
  switch (state_) {
    case State::kChunkSize:
    case State::kChunkExtension:
    case State::kChunkLineLf:
    case State::kChunkDataCr:
    case State::kChunkDataLf: {
      const std::size_t limit =
          limits_.max_head + std::min(limits_.max_body, SIZE_MAX - limits_.max_head);
      if (++framing_ <= limit) return true;
      return Fail(offset_, "the chunk framing exceeds its " + std::to_string(limit) +
                               "-byte limit (max_head + max_body)");
    }
    default:
      if (++section_ <= limits_.max_head) return true;
      return Fail(offset_, std::string(in_trailers_ ? "the trailer section" : "the response head") +
                               " exceeds the " + std::to_string(limits_.max_head) + "-byte limit");
  }
}

bool ResponseReader::Byte(char c) {
  switch (state_) {
    case State::kVersion:
      return VersionByte(c);
    case State::kStatusCode:
      return StatusCodeByte(c);
    case State::kReason:
      return ReasonByte(c);
    case State::kStatusLf:
      if (c != '\n') return Fail(offset_, "CR not followed by LF in the status line" + Got(c));
      state_ = State::kFieldStart;
      return true;
    case State::kFieldStart:
      return FieldStartByte(c);
    case State::kFieldName:
      return FieldNameByte(c);
    case State::kFieldValue:
      return FieldValueByte(c);
    case State::kFieldLf:
      return FieldLf(c);
    case State::kEmptyLineLf:
      return EmptyLineLf(c);
    case State::kChunkSize:
      return ChunkSizeByte(c);
    case State::kChunkExtension:
      return ChunkExtensionByte(c);
    case State::kChunkLineLf:
      return ChunkLineLf(c);
    case State::kChunkDataCr:
      return ChunkDataCr(c);
    case State::kChunkDataLf:
      return ChunkDataLf(c);
    default:
      return Fail(offset_, "internal error: no byte expected here");
  }
}

bool ResponseReader::VersionByte(char c) {
  static constexpr std::string_view kVersion = "HTTP/1.# ";  // '#': the minor version digit
  const char wanted = kVersion[matched_];
  if (wanted == '#' ? !IsDigit(c) : c != wanted) {
    if (matched_ >= 8) return Fail(offset_, "expected SP after the HTTP version" + Got(c));
    if (matched_ >= 5) return Fail(offset_, "the HTTP version is not 1.x" + Got(c));
    const bool between = matched_ == 0 && completed_ > 0;
    return Fail(offset_, "a response must start with \"HTTP/\"" + Got(c) +
                             (between ? " (after the end of the previous response)" : ""));
  }
  if (wanted == '#') current_.version_minor = c - '0';
  if (++matched_ == kVersion.size()) {
    matched_ = 0;
    state_ = State::kStatusCode;
  }
  return true;
}

bool ResponseReader::StatusCodeByte(char c) {
  if (matched_ < 3 && IsDigit(c)) {
    current_.status = current_.status * 10 + (c - '0');
    ++matched_;
    return true;
  }
  if (matched_ < 3 || IsDigit(c)) {
    return Fail(offset_, "the status code is not three digits" + Got(c));
  }
  if (c == '\r') {
    return Fail(offset_,
                "no SP after the status code (a server must send it even when the "
                "reason phrase is empty)");
  }
  if (c != ' ') return Fail(offset_, "expected SP after the status code" + Got(c));
  if (current_.status < 100 || current_.status > 599) {
    const std::string code = std::to_string(1000 + current_.status).substr(1);
    return Fail(offset_ - 3, "status code " + code + " is outside 100..599");
  }
  matched_ = 0;
  state_ = State::kReason;
  return true;
}

bool ResponseReader::ReasonByte(char c) {
  if (c == '\r') {
    state_ = State::kStatusLf;
    return true;
  }
  if (!IsVisible(c) && !IsWhitespace(c)) return Fail(offset_, Unexpected(c, "the reason phrase"));
  current_.reason += c;
  return true;
}

bool ResponseReader::FieldStartByte(char c) {
  const Fields& fields = in_trailers_ ? current_.trailers : current_.headers;
  if (c == '\r') {
    state_ = State::kEmptyLineLf;
    return true;
  }
  if (IsWhitespace(c)) {
    return Fail(offset_, fields.empty()
                             ? "whitespace before the first field line"
                             : "a field line starts with whitespace (obs-fold is not allowed)");
  }
  if (c == ':') return Fail(offset_, "a field line has an empty name");
  if (c == '\n') return Fail(offset_, Unexpected(c, in_trailers_ ? "the trailers" : "the head"));
  if (!IsTokenChar(c)) return Fail(offset_, Unexpected(c, "a field name"));
  field_name_.assign(1, c);
  field_start_ = offset_;
  state_ = State::kFieldName;
  return true;
}

bool ResponseReader::FieldNameByte(char c) {
  if (IsTokenChar(c)) {
    field_name_ += c;
    return true;
  }
  if (c == ':') {
    field_value_.clear();
    state_ = State::kFieldValue;
    return true;
  }
  if (IsWhitespace(c)) return Fail(offset_, "whitespace between a field name and its colon");
  if (c == '\r' || c == '\n') {
    return Fail(offset_, "field line \"" + field_name_ + "\" has no colon");
  }
  return Fail(offset_, Unexpected(c, "a field name"));
}

bool ResponseReader::FieldValueByte(char c) {
  if (c == '\r') {
    state_ = State::kFieldLf;
    return true;
  }
  if (IsVisible(c) || (IsWhitespace(c) && !field_value_.empty())) {
    field_value_ += c;
    return true;
  }
  if (IsWhitespace(c)) return true;  // OWS before the value
  return Fail(offset_, Unexpected(c, "the value of field \"" + field_name_ + "\""));
}

bool ResponseReader::FieldLf(char c) {
  if (c != '\n') return Fail(offset_, "CR not followed by LF in a field line" + Got(c));
  while (!field_value_.empty() && IsWhitespace(field_value_.back())) {
    field_value_.pop_back();
  }
  Fields& fields = in_trailers_ ? current_.trailers : current_.headers;
  if (fields.empty()) fields.reserve(kFieldsReserved);
  fields.emplace_back(std::move(field_name_), std::move(field_value_));
  if (!in_trailers_) {
    if (field_offsets_.empty()) field_offsets_.reserve(kFieldsReserved);
    field_offsets_.push_back(field_start_);
  }
  field_name_.clear();
  field_value_.clear();
  state_ = State::kFieldStart;
  return true;
}

bool ResponseReader::EmptyLineLf(char c) {
  if (c != '\n') {
    return Fail(offset_, std::string("CR not followed by LF in the empty line ending the ") +
                             (in_trailers_ ? "trailers" : "head") + Got(c));
  }
  if (in_trailers_) {
    state_ = State::kComplete;
    return true;
  }
  return EndOfHead();
}

bool ResponseReader::EndOfHead() {
  head_read_ = true;
  head_end_ = offset_ + 1;  // after this LF
  Framing framing;
  Problem problem = framing.Read(current_.headers, field_offsets_);
  if (problem.what.empty()) problem = framing.ForbiddenIn(current_.status);
  if (!problem.what.empty()) return Fail(problem.at, problem.what);
  if (current_.status < 200) {
    current_.interim = true;
    switch_after_ = current_.status == 101;
    state_ = State::kComplete;
    return true;
  }
  std::string method = "GET";
  if (!methods_.empty()) {
    method = methods_.pop_front();
  }
  return StartBody(method, framing);
}

// RFC 9112 section 6.3, as it applies to responses.
bool ResponseReader::StartBody(std::string_view method, const Framing& framing) {
  const int status = current_.status;
  const bool tunnel = method == "CONNECT" && status < 300;
  if (method == "HEAD" || status == 204 || status == 304 || tunnel) {
    switch_after_ = tunnel;
    state_ = State::kComplete;
    return true;
  }
  if (framing.has_codings && framing.has_length) {
    return Fail(framing.length_at,
                "a response with Transfer-Encoding must not have Content-Length");
  }
  if (framing.has_codings && current_.version_minor == 0) {
    return Fail(framing.codings_at, "Transfer-Encoding in an HTTP/1.0 response");
  }
  if (framing.has_length && framing.length > limits_.max_body) {
    return Fail(framing.length_at, "Content-Length " + std::to_string(framing.length) +
                                       " exceeds the " + std::to_string(limits_.max_body) +
                                       "-byte body limit");
  }
  current_.chunked = framing.chunked;
  remaining_ = framing.length;
  if (framing.chunked) {
    state_ = State::kChunkSize;
  } else if (framing.has_codings || !framing.has_length) {
    state_ = State::kCloseBody;
  } else {
    state_ = remaining_ > 0 ? State::kLengthBody : State::kComplete;
  }
  return true;
}

bool ResponseReader::ChunkSizeByte(char c) {
  const int digit = HexValue(c);
  if (digit >= 0) {
    const std::uint64_t room = limits_.max_body - current_.body_size;
    const auto value = static_cast<std::uint64_t>(digit);
    if (room < value || chunk_size_ > (room - value) / 16) {
      return Fail(offset_, "the chunked body exceeds the " + std::to_string(limits_.max_body) +
                               "-byte body limit");
    }
    chunk_size_ = chunk_size_ * 16 + value;
    ++matched_;
    return true;
  }
  if (matched_ == 0) return Fail(offset_, "a chunk size must start with a hex digit" + Got(c));
  if (c == '\r') {
    state_ = State::kChunkLineLf;
  } else if (c == ';' || IsWhitespace(c)) {
    extension_ = c == ';' ? Extension::kNameStart : Extension::kWhitespace;
    state_ = State::kChunkExtension;
  } else {
    return Fail(offset_, Unexpected(c, "a chunk size"));
  }
  return true;
}

bool ResponseReader::ChunkExtensionByte(char c) {
  const std::optional<Extension> next = NextExtension(extension_, c);
  if (!next) return Fail(offset_, Unexpected(c, "a chunk extension"));
  extension_ = *next;
  if (extension_ == Extension::kEnd) state_ = State::kChunkLineLf;
  return true;
}

// The chunk-ext grammar: *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ).
std::optional<ResponseReader::Extension> ResponseReader::NextExtension(Extension at, char c) {
  using enum Extension;
  const bool space = IsWhitespace(c);
  const bool token = IsTokenChar(c);
  const auto after_element = [c]() -> std::optional<Extension> {
    if (c == ';') return kNameStart;
    if (c == '\r') return kEnd;
    return std::nullopt;
  };
  switch (at) {
    case kWhitespace:
      if (space) return kWhitespace;
      if (c == ';') return kNameStart;
      break;
    case kNameStart:
      if (space) return kNameStart;
      if (token) return kName;
      break;
    case kName:
      if (token) return kName;
      if (space) return kAfterName;
      if (c == '=') return kValueStart;
      return after_element();
    case kAfterName:
      if (space) return kAfterName;
      if (c == '=') return kValueStart;
      if (c == ';') return kNameStart;
      break;
    case kValueStart:
      if (space) return kValueStart;
      if (token) return kToken;
      if (c == '"') return kQuoted;
      break;
    case kToken:
      if (token) return kToken;
      if (space) return kWhitespace;
      return after_element();
    case kQuoted:
      if (c == '"') return kAfterQuoted;
      if (c == '\\') return kQuotedPair;
      if (space || IsVisible(c)) return kQuoted;
      break;
    case kQuotedPair:
      if (space || IsVisible(c)) return kQuoted;
      break;
    case kAfterQuoted:
      if (space) return kWhitespace;
      return after_element();
    case kEnd:
      break;
  }
  return std::nullopt;
}

bool ResponseReader::ChunkLineLf(char c) {
  if (c != '\n') return Fail(offset_, "CR not followed by LF in a chunk line" + Got(c));
  if (chunk_size_ == 0) {
    in_trailers_ = true;
    section_ = 0;
    state_ = State::kFieldStart;
    return true;
  }
  remaining_ = chunk_size_;
  state_ = State::kChunkData;
  return true;
}

bool ResponseReader::ChunkDataCr(char c) {
  if (c != '\r') {
    return Fail(offset_, "expected CRLF after the " + std::to_string(chunk_size_) +
                             " bytes of a chunk" + Got(c));
  }
  state_ = State::kChunkDataLf;
  return true;
}

bool ResponseReader::ChunkDataLf(char c) {
  if (c != '\n') return Fail(offset_, "CR not followed by LF after chunk data" + Got(c));
  chunk_size_ = 0;
  matched_ = 0;
  state_ = State::kChunkSize;
  return true;
}

void ResponseReader::FinishResponse() {
  ++completed_;
  ready_.push_back(std::move(current_));
  current_ = HttpResponse();
  state_ = switch_after_ ? State::kSwitched : State::kVersion;
  matched_ = 0;
  section_ = 0;
  framing_ = 0;
  chunk_size_ = 0;
  remaining_ = 0;
  in_trailers_ = false;
  head_read_ = false;
  field_offsets_.clear();
}

void ResponseReader::AddBody(std::string_view bytes) {
  current_.body_size += bytes.size();
  if (completed_ >= discard_bodies_through_) current_.body.append(bytes);
}

std::string ResponseReader::Place() const {
  switch (state_) {
    case State::kVersion:
    case State::kStatusCode:
    case State::kReason:
    case State::kStatusLf:
      return "in the status line";
    case State::kFieldStart:
    case State::kFieldName:
    case State::kFieldValue:
    case State::kFieldLf:
    case State::kEmptyLineLf:
      return in_trailers_ ? "in the trailer section" : "in the header section";
    case State::kLengthBody:
      return "after " + std::to_string(current_.body_size) + " of " +
             std::to_string(current_.body_size + remaining_) + " body bytes";
    case State::kChunkData:
      return "inside a chunk, " + std::to_string(remaining_) + " of its " +
             std::to_string(chunk_size_) + " bytes missing";
    default:
      return "in the chunked body";
  }
}

bool ResponseReader::Fail(std::uint64_t at, std::string_view what) {
  if (error_.empty()) error_ = "byte " + std::to_string(at) + ": " + std::string(what);
  return false;
}

}  // namespace parley::harness
