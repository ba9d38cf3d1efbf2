// Limits and options shared by the HTTP request parser and body decoders. Defaults follow the
// common practice of production servers; every one is a flag of http-server.
#ifndef PARLEY_TARGETS_HTTP_LIMITS_H_
#define PARLEY_TARGETS_HTTP_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace parley::http {

struct Limits {
  std::size_t max_request_line = 8 * 1024;  // including CRLF; beyond it 414
  // The longest method; a longer one is 501 as soon as its bytes arrive (RFC 9112 section 3:
  // a method longer than any the server implements SHOULD get 501), without reading the rest
  // of a line that may run to max_request_line. 32 fits every method IANA registers.
  std::size_t max_method = 32;
  std::size_t max_header_section = 16 * 1024;   // field lines and the final CRLF; beyond it 431
  std::size_t max_fields = 100;                 // beyond it 431
  std::uint64_t max_body = 1024 * 1024;         // decoded body bytes; beyond it 413
  std::size_t max_chunk_extensions = 1024;      // bytes of extensions on one chunk-size line; 400
  std::size_t max_trailer_section = 16 * 1024;  // trailer field lines and final CRLF; 431
  // RFC 9112 section 2.2 lets a recipient accept a bare LF as a line end in the head. parley
  // rejects it by default (400): front ends that disagree on line ends are a smuggling vector.
  bool allow_bare_lf = false;
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_LIMITS_H_
