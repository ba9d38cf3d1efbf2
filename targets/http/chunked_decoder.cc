#include "targets/http/chunked_decoder.h"
