// The examples in docs/recording.md are what the writer writes: each ```yaml block after an
// `<!-- example: NAME -->` line must equal the output for the recording NAME built here (the
// whole file when the block starts with `name:`, else the steps). A doc that drifts fails.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "harness/record/scenario_writer.h"
#include "harness/scenario/loader.h"

namespace parley::harness {
namespace {

using Kind = RecordedEvent::Kind;

struct Example {
  Recording recording{1 << 20};
  ScenarioOptions options;
};

int Open(Example* e, Transport t = Transport::kTcp, std::uint16_t local_port = 41000) {
  int c = e->recording.Open(t, "127.0.0.1:50000");
  e->recording.Connected(c, local_port);
  return c;
}

void Base(Example* e) {
  e->options.server = "127.0.0.1:8080";
  e->options.addresses = {"127.0.0.1:40000", "localhost:40000"};
}

// The recordings the documentation shows, by name.
std::map<std::string, std::function<void(Example*)>> Recordings() {
  std::map<std::string, std::function<void(Example*)>> all;
  all["http"] = [](Example* e) {
    Base(e);
    e->options.name = "curl fetches /";
    int c = Open(e);
    e->recording.ClientData(c,
                            "GET / HTTP/1.1\r\nHost: 127.0.0.1:40000\r\nUser-Agent: "
                            "curl/7.88.1\r\nAccept: */*\r\n\r\n");
    e->recording.ServerData(c,
                            "HTTP/1.1 200 OK\r\nServer: parley/0.1.0\r\n"
                            "Date: Sat, 05 Dec 2026 20:00:33 GMT\r\n"
                            "Content-Type: text/html; charset=utf-8\r\nContent-Length: 20\r\n\r\n"
                            "<h1>Hola Mundo</h1>\n");
    e->recording.Add(c, Kind::kClientClosed);
    e->recording.Add(c, Kind::kServerClosed);
  };
  all["cookies"] = [](Example* e) {
    Base(e);
    int c = Open(e);
    e->recording.ClientData(c,
                            "POST /login HTTP/1.1\r\nHost: localhost:40000\r\n"
                            "Content-Length: 8\r\n\r\nuser=ana");
    e->recording.ServerData(c,
                            "HTTP/1.1 303 See Other\r\nDate: Sat, 05 Dec 2026 20:00:33 GMT\r\n"
                            "ETag: \"5f1c-2a\"\r\nLocation: http://127.0.0.1:8080/home\r\n"
                            "Set-Cookie: sid=Zm9vYmFy; Path=/; Expires=Sun, 06 Dec 2026 "
                            "20:00:33 GMT; HttpOnly\r\nContent-Length: 0\r\n\r\n");
  };
  all["headers"] = [](Example* e) {
    Base(e);
    e->options.headers.keep = {"etag"};
    e->options.headers.drop = {"server"};
    int c = Open(e);
    e->recording.ClientData(c, "HEAD /logo.png HTTP/1.1\r\nHost: x\r\n\r\n");
    e->recording.ServerData(c,
                            "HTTP/1.1 200 OK\r\nServer: parley/0.1.0\r\n"
                            "Date: Sat, 05 Dec 2026 20:00:33 GMT\r\nETag: \"5f1c-2a\"\r\n"
                            "Content-Type: image/png\r\nContent-Length: 10240\r\n\r\n");
  };
  all["large"] = [](Example* e) {
    Base(e);
    int c = Open(e);
    e->recording.ClientData(c, "GET /big.txt HTTP/1.1\r\nHost: x\r\n\r\n");
    e->recording.ServerData(c, "HTTP/1.1 200 OK\r\nContent-Length: 20011\r\n\r\nchapter one\n" +
                                   std::string(19999, '.'));
  };
  all["chat"] = [](Example* e) {
    Base(e);
    e->options.target = "chat";
    int a = Open(e);
    e->recording.ServerData(a, "* welcome guest7\n* online: guest7\n");
    int b = Open(e, Transport::kTcp, 41001);
    e->recording.ServerData(a, "* guest8 joined\n");
    e->recording.ServerData(b, "* welcome guest8\n* online: guest7 guest8\n");
    e->recording.ClientData(b, "/nick bob\n");
    e->recording.ServerData(b, "* you are now bob\n");
    e->recording.ServerData(a, "* guest8 is now bob\n");
    e->recording.ClientData(b, "/msg guest7 hola\n");
    e->recording.ServerData(a, "*bob* hola\n");
    e->recording.ClientData(a, "/quit\n");
    e->recording.ServerData(b, "* guest7 left\n");
    e->recording.Add(a, Kind::kServerClosed);
    e->recording.Add(a, Kind::kClientClosed);
  };
  all["udp"] = [](Example* e) {
    Base(e);
    e->options.target = "chat";
    int c = Open(e, Transport::kUdp);
    e->recording.ClientData(c, "hi over udp\n");
    e->recording.ServerData(c, "* welcome guest3\n");
    e->recording.ServerData(c, "* online: guest3\n");
  };
  all["binary"] = [](Example* e) {
    Base(e);
    int c = Open(e);
    e->recording.ClientData(c, std::string("\x00\x00\x00\x05hello", 9));
    e->recording.ServerData(c, std::string("\x00\x00\x00\x02ok", 6));
    e->recording.ClientData(c, "PUT " + std::string(300, '=') + "\n");
    e->recording.Add(c, Kind::kServerReset);
  };
  all["closes"] = [](Example* e) {
    Base(e);
    e->options.protocol = StreamProtocol::kLines;
    int a = Open(e);
    e->recording.ClientData(a, "QUIT\n");
    e->recording.Add(a, Kind::kClientClosed);
    e->recording.ServerData(a, "BYE\n");
    e->recording.Add(a, Kind::kServerClosed);
    int b = Open(e, Transport::kTcp, 41001);
    e->recording.ServerData(b, "READY\n");
    e->recording.Add(b, Kind::kClientReset);
  };
  all["volatile"] = [](Example* e) {
    Base(e);
    e->options.volatile_patterns = {"[0-9a-f]{8}"};
    int c = Open(e);
    e->recording.ServerData(c, "SESSION 9f86d081 READY\n");
    e->recording.ClientData(c, "RESUME 9f86d081\n");
    e->recording.ServerData(c, "OK 9f86d081\n");
  };
  all["peer-port"] = [](Example* e) {
    Base(e);
    int c = Open(e, Transport::kTcp, 51234);
    e->recording.ClientData(c, "WHOAMI\n");
    e->recording.ServerData(c, "you are 127.0.0.1:51234\n");
  };
  all["unreachable"] = [](Example* e) {
    Base(e);
    int c = e->recording.Open(Transport::kTcp, "127.0.0.1:50000");
    e->recording.ConnectFailed(c,
                               "cannot connect to the server 127.0.0.1:8080: Connection refused");
    int d = Open(e);
    e->recording.ClientData(d, "PING\n");
    e->recording.ServerData(d, "PONG\n");
  };
  all["truncated"] = [](Example* e) {
    e->recording = Recording(4096);
    Base(e);
    int c = Open(e);
    e->recording.ClientData(c, "CAT /dev/urandom\n");
    e->recording.ServerData(c, "BEGIN\n");
    e->recording.ServerData(c, std::string(5000, 'x'));
    e->recording.ServerData(c, "END\n");
    e->recording.Add(c, Kind::kServerClosed);
  };
  return all;
}

std::map<std::string, std::string> DocExamples() {
  std::ifstream in(PARLEY_SOURCE_DIR "/docs/recording.md");
  std::stringstream text;
  text << in.rdbuf();
  std::map<std::string, std::string> out;
  std::string doc = text.str();
  const std::string marker = "<!-- example: ";
  for (std::size_t at = doc.find(marker); at != std::string::npos; at = doc.find(marker, at + 1)) {
    std::size_t name_end = doc.find(" -->", at);
    std::string name = doc.substr(at + marker.size(), name_end - at - marker.size());
    std::size_t open = doc.find("```yaml\n", name_end);
    std::size_t close = doc.find("\n```", open);
    out[name] = doc.substr(open + 8, close - open - 8 + 1);
  }
  return out;
}

TEST(RecordingDoc, EveryExampleIsWhatTheWriterWrites) {
  std::map<std::string, std::string> doc = DocExamples();
  for (auto& [name, make] : Recordings()) {
    Example e;
    make(&e);
    WrittenScenario w = WriteScenario(e.recording, e.options);
    LoadResult loaded = LoadScenarios(w.yaml, "example.yaml");
    EXPECT_TRUE(loaded.ok()) << name << ": " << (loaded.ok() ? "" : loaded.error->ToString());
    auto it = doc.find(name);
    if (it == doc.end()) {
      ADD_FAILURE() << "docs/recording.md has no example '" << name << "'; it would be:\n"
                    << w.yaml;
      continue;
    }
    std::string shown = w.yaml;
    if (!it->second.starts_with("name:") && !it->second.starts_with("#")) {
      shown = shown.substr(shown.find("steps:\n") + 7);
    }
    EXPECT_EQ(it->second, shown) << "example '" << name << "' in docs/recording.md";
  }
  EXPECT_EQ(doc.size(), Recordings().size()) << "an example in the doc has no recording here";
}

}  // namespace
}  // namespace parley::harness
