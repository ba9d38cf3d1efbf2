// ParseError: every reason the request parser or a body decoder rejects a request, each with a
// short stable text (for logs and /echo-style reports) and the HTTP status a server answers.
// docs/http-parsing.md lists every reason with an example request.
#ifndef PARLEY_TARGETS_HTTP_PARSE_ERROR_H_
#define PARLEY_TARGETS_HTTP_PARSE_ERROR_H_

#include <cstdint>
#include <string_view>

namespace parley::http {

// The list is the parser's; each value's comment names its status. Every error closes the
// connection: after any of them the parser can no longer tell where the next request starts.
enum class ParseError : std::uint8_t {
  kNone = 0,

  // Request line (RFC 9112 section 3).
  kRequestLineTooLong,    // 414: longer than Limits::max_request_line, CRLF included
  kMethodTooLong,         // 501: a method longer than Limits::max_method
  kMalformedRequestLine,  // 400: not "method SP target SP version", exactly one SP between
  kInvalidMethod,         // 400: method empty or not a token
  kInvalidTarget,         // 400: a character or an authority the target's form does not allow
  kInvalidTargetForm,     // 400: "*" without OPTIONS, CONNECT without authority-form, other
                          //      forms that are none of origin, absolute, authority, asterisk
  kInvalidVersion,        // 400: not exactly "HTTP/" DIGIT "." DIGIT (e.g. "http/1.1")
  kUnsupportedVersion,    // 505: a well-formed version other than HTTP/1.x (e.g. HTTP/2.0)

  // Line ends anywhere in the head.
  kBareCr,  // 400: a CR not followed by LF
  kBareLf,  // 400: an LF without CR, unless Limits::allow_bare_lf

  // Field section (RFC 9112 section 5, RFC 9110 section 5).
  kHeaderSectionTooLarge,  // 431: field lines and final CRLF beyond Limits::max_header_section
  kTooManyFields,          // 431: more than Limits::max_fields field lines
  kObsFold,                // 400: a field line starting with SP or HTAB (obsolete line folding)
  kInvalidFieldName,       // 400: field name empty or not a token
  kWhitespaceBeforeColon,  // 400: SP or HTAB between the field name and the colon
  kMissingColon,           // 400: a field line without a colon
  kInvalidFieldValue,      // 400: NUL, DEL or a control other than HTAB in a field value
  kMissingHost,            // 400: an HTTP/1.1 request without Host
  kDuplicateHost,          // 400: more than one Host field line
  kInvalidHost,            // 400: a Host value that is not uri-host [ ":" port ]

  // Message framing (RFC 9112 section 6, RFC 9110 section 8.6).
  kInvalidContentLength,               // 400: a Content-Length element that is not 1*DIGIT
  kContentLengthOverflow,              // 400: a Content-Length above 2^64 - 1
  kConflictingContentLength,           // 400: Content-Length values that differ
  kInvalidTransferEncoding,            // 400: a Transfer-Encoding element that is not a token
  kChunkedNotFinal,                    // 400: chunked missing, not last, or applied twice
  kUnsupportedTransferCoding,          // 501: a coding other than chunked before chunked
  kTransferEncodingInHttp10,           // 400: Transfer-Encoding in an HTTP/1.0 request
  kContentLengthWithTransferEncoding,  // 400: both Content-Length and Transfer-Encoding

  // Message body (RFC 9112 sections 6.3 and 7.1).
  kBodyTooLarge,            // 413: more than Limits::max_body decoded body bytes
  kInvalidChunkSize,        // 400: a chunk size that is not 1*HEXDIG
  kChunkSizeOverflow,       // 400: a chunk size above 2^64 - 1
  kInvalidChunkExtension,   // 400: chunk extensions that do not follow the grammar
  kChunkExtensionsTooLong,  // 400: extensions longer than Limits::max_chunk_extensions
  kMissingChunkDataCrlf,    // 400: chunk data not followed by exactly CRLF
  kTrailerSectionTooLarge,  // 431: trailer section beyond Limits::max_trailer_section
};

// A stable kebab-case text, e.g. "duplicate-host". Never empty ("none" for kNone).
std::string_view ErrorText(ParseError error);

// The status code a server answers with: 400, 413, 414, 431, 501 or 505 (200 for kNone).
int ErrorStatus(ParseError error);

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_PARSE_ERROR_H_
