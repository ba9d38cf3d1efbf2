#include "harness/fuzz/rfc_request.h"
