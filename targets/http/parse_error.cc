#include "targets/http/parse_error.h"
