#include "targets/http/request_parser.h"
