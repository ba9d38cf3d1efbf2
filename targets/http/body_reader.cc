#include "targets/http/body_reader.h"
