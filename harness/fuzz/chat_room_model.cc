#include "harness/fuzz/chat_room_model.h"
