#include "harness/fuzz/beast_reading.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace parley::fuzz {

namespace beast_http = boost::beast::http;

BeastReading ReadWithBeast(std::string_view bytes, std::size_t header_limit,
                           std::uint64_t body_limit) {
  BeastReading out;
  beast_http::request_parser<beast_http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(header_limit));
  parser.body_limit(body_limit);
  // The head first (not eager), so its fields can be copied before trailer fields join them.
  std::size_t used = 0;
  bool head_copied = false;
  while (!parser.is_done()) {
    boost::system::error_code ec;
    const std::size_t n =
        parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    used += n;
    if (parser.is_header_done() && !head_copied) {
      head_copied = true;
      for (const auto& field : parser.get()) {
        out.fields.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      parser.eager(true);
    }
    if (ec == beast_http::error::need_more || (!ec && n == 0)) {
      if (n == 0 || used == bytes.size()) return out;  // kIncomplete
      continue;
    }
    if (ec) {
      out.outcome = BeastReading::Outcome::kError;
      out.error = ec.message();
      return out;
    }
  }
  const auto& message = parser.get();
  out.outcome = BeastReading::Outcome::kComplete;
  out.method = std::string(message.method_string());
  out.target = std::string(message.target());
  out.version = message.version();
  out.body = message.body();
  out.size = used;
  out.keep_alive = parser.keep_alive();
  out.chunked = parser.chunked();
  if (parser.content_length()) out.content_length = *parser.content_length();
  return out;
}

}  // namespace parley::fuzz
