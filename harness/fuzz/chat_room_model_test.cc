#include <gtest/gtest.h>

#include "harness/fuzz/chat_room_model.h"
