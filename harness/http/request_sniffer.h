// RequestSniffer: spots the HTTP requests written on one connection, so that the response
// reader knows which responses answer a HEAD (they have no body). A request line
// `METHOD SP target SP HTTP/x.y` counts at the start of the stream or right after an empty line.
// Bodies that are not line-shaped can hide a request; a scenario then names the methods itself.
#ifndef PARLEY_HARNESS_HTTP_REQUEST_SNIFFER_H_
#define PARLEY_HARNESS_HTTP_REQUEST_SNIFFER_H_

#include <string>
#include <string_view>
#include <vector>

namespace parley::harness {

class RequestSniffer {
 public:
  // The methods of the requests whose request line ends in `bytes`, in order. Lines may be
  // split across calls.
  std::vector<std::string> Feed(std::string_view bytes);

 private:
  bool at_message_start_ = true;
  std::string partial_;  // a line not yet ended, at most a few KiB
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_HTTP_REQUEST_SNIFFER_H_
