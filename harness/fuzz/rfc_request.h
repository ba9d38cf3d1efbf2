// RfcRequest: an independent reading of HTTP/1.1 requests from RFC 9112's ABNF (in progress).
#ifndef PARLEY_HARNESS_FUZZ_RFC_REQUEST_H_
#define PARLEY_HARNESS_FUZZ_RFC_REQUEST_H_
#endif  // PARLEY_HARNESS_FUZZ_RFC_REQUEST_H_
