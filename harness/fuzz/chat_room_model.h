// ChatRoomModel: an independent model of who in the chat room must receive what (in progress).
#ifndef PARLEY_HARNESS_FUZZ_CHAT_ROOM_MODEL_H_
#define PARLEY_HARNESS_FUZZ_CHAT_ROOM_MODEL_H_
#endif  // PARLEY_HARNESS_FUZZ_CHAT_ROOM_MODEL_H_
