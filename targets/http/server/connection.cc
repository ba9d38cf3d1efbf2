#include "targets/http/server/connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/error.hpp>
#include <string>

#include "targets/http/server/date_cache.h"
#include "targets/http/server/response.h"

namespace parley::http {

bool AnswerPlainHttpOnTlsPort(const boost::system::error_code& handshake_error, Socket& socket) {
  if (handshake_error.category() != boost::asio::error::get_ssl_category() ||
      ERR_GET_REASON(static_cast<unsigned long>(handshake_error.value())) != SSL_R_HTTP_REQUEST) {
    return false;
  }
  constexpr std::string_view kReason = "plain-http-on-tls-port";
  DateCache dates;
  std::string response;
  ResponseHead head;
  head.status = 400;
  head.content_type = kTextType;
  head.content_length = ErrorBodySize(kReason);
  head.connection = ConnectionHeader::kClose;
  AppendResponseHead(head, dates.Now(), response);
  AppendErrorBody(kReason, response);
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(boost::asio::buffer(response), ignored);
  socket.shutdown(Socket::shutdown_send, ignored);
  return true;
}

template class Connection<Socket>;
template class Connection<TlsSocket>;

}  // namespace parley::http
