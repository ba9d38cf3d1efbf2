// The workspace-hold specification (ServerConfig::hold_workspace), written once and run over
// each connection driver: from its second request on, a waiting connection keeps its workspace
// (a read into it is pending) for hold_workspace, then gives it back and waits without it;
// requests are answered either way, and timeouts still close it.
//
// A driver is a test fixture with these members, over a real loopback socket:
//   config_, pool_, manager_, received_   the ServerConfig, WorkspacePool, ConnectionManager
//                                         and the bytes the client has received
//   StartOverSocket()                     connects a client and starts a connection for it
//   Exchange()                            sends one GET; true once its response has arrived
//   RunUntil(condition)                   runs the loop until `condition`; false on timeout
//   Responses()                           the number of responses in received_
//   Settle()                              lets the connection act on what it has (e.g. poll)
//   ExpectNothingInFlight()               checks that no I/O of a closed connection is pending
// Each test file instantiates it for its driver:
//   INSTANTIATE_TYPED_TEST_SUITE_P(Uring, HttpServerWorkspaceHold, HttpServerUringConnection);
#ifndef PARLEY_TARGETS_HTTP_SERVER_WORKSPACE_HOLD_SPEC_H_
#define PARLEY_TARGETS_HTTP_SERVER_WORKSPACE_HOLD_SPEC_H_

#include <gtest/gtest.h>

#include <chrono>

#include "targets/http/server/test_support.h"

namespace parley::http {

template <class Driver>
class HttpServerWorkspaceHold : public Driver {};

TYPED_TEST_SUITE_P(HttpServerWorkspaceHold);

TYPED_TEST_P(HttpServerWorkspaceHold, AFirstRequestLeavesNoWorkspaceBehind) {
  this->config_.hold_workspace = std::chrono::hours(1);
  this->StartOverSocket();
  ASSERT_TRUE(this->Exchange()) << this->received_;
  ASSERT_TRUE(this->RunUntil([&] { return this->pool_.spare() == 1; }));
}

TYPED_TEST_P(HttpServerWorkspaceHold, ASteadyConnectionKeepsItsWorkspaceWhileItWaits) {
  this->config_.hold_workspace = std::chrono::hours(1);
  this->StartOverSocket();
  ASSERT_TRUE(this->Exchange()) << this->received_;
  ASSERT_TRUE(this->RunUntil([&] { return this->pool_.spare() == 1; }));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(this->Exchange()) << this->received_;
    this->Settle();
    EXPECT_EQ(this->pool_.spare(), 0u);  // held by the pending read
  }
  for (const auto& response : testing::ParseResponses(this->received_))
    EXPECT_EQ(response.body, "<h1>Hola Mundo</h1>\n");
}

TYPED_TEST_P(HttpServerWorkspaceHold, AHeldWorkspaceIsGivenBackAfterHoldWorkspace) {
  this->config_.hold_workspace = std::chrono::milliseconds(20);
  this->StartOverSocket();
  ASSERT_TRUE(this->Exchange()) << this->received_;
  ASSERT_TRUE(this->Exchange()) << this->received_;
  ASSERT_TRUE(this->RunUntil([&] { return this->pool_.spare() == 1; }));
  // Waiting without the workspace now; the next request is still answered.
  ASSERT_TRUE(this->Exchange()) << this->received_;
  EXPECT_EQ(this->Responses(), 3u);
  EXPECT_EQ(this->manager_.size(), 1u);
}

TYPED_TEST_P(HttpServerWorkspaceHold, TheIdleTimeoutStillClosesAConnectionThatHoldsItsWorkspace) {
  this->config_.hold_workspace = std::chrono::hours(1);
  this->config_.idle_timeout = std::chrono::milliseconds(100);
  this->StartOverSocket();
  ASSERT_TRUE(this->Exchange()) << this->received_;
  ASSERT_TRUE(this->Exchange()) << this->received_;
  ASSERT_TRUE(this->RunUntil([&] { return this->manager_.size() == 0; }));
  EXPECT_EQ(this->pool_.spare(), 1u);
  this->ExpectNothingInFlight();  // the cancelled read completed before the connection went
}

REGISTER_TYPED_TEST_SUITE_P(HttpServerWorkspaceHold, AFirstRequestLeavesNoWorkspaceBehind,
                            ASteadyConnectionKeepsItsWorkspaceWhileItWaits,
                            AHeldWorkspaceIsGivenBackAfterHoldWorkspace,
                            TheIdleTimeoutStillClosesAConnectionThatHoldsItsWorkspace);

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_WORKSPACE_HOLD_SPEC_H_
