#include "targets/http/server/connection.h"

namespace parley::http {

template class Connection<Socket>;

}  // namespace parley::http
