#include "targets/http/server/connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/error.hpp>
#include <string>

#include "targets/http/server/request_handler.h"

namespace parley::http {

bool AnswerPlainHttpOnTlsPort(const boost::system::error_code& handshake_error, Socket& socket) {
  if (handshake_error.category() != boost::asio::error::get_ssl_category() ||
      ERR_GET_REASON(static_cast<unsigned long>(handshake_error.value())) != SSL_R_HTTP_REQUEST) {
    return false;
  }
  const std::string response = ClosingErrorResponse(400, "plain-http-on-tls-port");
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(boost::asio::buffer(response), ignored);
  socket.shutdown(Socket::shutdown_send, ignored);
  return true;
}

template class Connection<Socket>;
template class Connection<TlsSocket>;

}  // namespace parley::http
