#include "harness/record/scenario_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "harness/scenario/loader.h"

namespace parley::harness {
namespace {

using Kind = RecordedEvent::Kind;

ScenarioOptions Options() {
  ScenarioOptions o;
  o.server = "127.0.0.1:8080";
  o.addresses = {"127.0.0.1:40000"};
  return o;
}

// Writes the recording and checks that the scenario loads.
std::string Write(const Recording& r, const ScenarioOptions& o = Options()) {
  WrittenScenario w = WriteScenario(r, o);
  EXPECT_TRUE(w.error.empty()) << w.error;
  LoadResult loaded = LoadScenarios(w.yaml, "recorded.yaml");
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error->ToString()) << "\n" << w.yaml;
  return w.yaml;
}

// A TCP connection the server accepted, from a client whose address does not matter.
int Connected(Recording* r, std::uint16_t local_port = 41000) {
  int c = r->Open(Transport::kTcp, "x");
  r->Connected(c, local_port);
  return c;
}

bool Has(const std::string& yaml, const std::string& text) {
  return yaml.find(text) != std::string::npos;
}

const char kResponse[] =
    "HTTP/1.1 200 OK\r\n"
    "Server: demo\r\n"
    "Date: Sat, 05 Dec 2026 20:00:33 GMT\r\n"
    "ETag: \"abc\"\r\n"
    "Set-Cookie: sid=9f8e; Path=/; Expires=Thu, 01 Jan 2027 00:00:00 GMT; HttpOnly\r\n"
    "Content-Type: text/html\r\n"
    "Content-Length: 20\r\n"
    "\r\n"
    "<h1>Hola Mundo</h1>\n";

TEST(ScenarioWriter, AnHttpExchange) {
  Recording r;
  int c = r.Open(Transport::kTcp, "127.0.0.1:5000");
  r.Connected(c, 41000);
  r.ClientData(c, "GET / HTTP/1.1\r\nHost: 127.0.0.1:40000\r\n\r\n");
  r.ServerData(c, std::string(kResponse).substr(0, 30));
  r.ServerData(c, std::string(kResponse).substr(30));
  r.Add(c, Kind::kClientClosed);
  r.Add(c, Kind::kServerClosed);
  std::string y = Write(r);
  EXPECT_TRUE(Has(y, "vars: {server: '127.0.0.1:8080'}")) << y;
  EXPECT_TRUE(Has(y, "  - connect: {name: c1, address: '${server}'}\n")) << y;
  EXPECT_TRUE(Has(y, "text: 'GET / HTTP/1.1\\r\\nHost: ${server}\\r\\n\\r\\n'")) << y;
  EXPECT_TRUE(Has(y, "        status: 200\n        reason: 'OK'\n")) << y;
  EXPECT_TRUE(Has(y, "'Server': 'demo'")) << y;
  EXPECT_TRUE(Has(y, "'Date': {present: true}")) << y;
  EXPECT_TRUE(Has(y, "'ETag': {present: true}")) << y;
  EXPECT_TRUE(Has(y, "'Set-Cookie': {regex: '^sid=[^;]*; Path=/; Expires=[^;]*; HttpOnly$'}")) << y;
  EXPECT_TRUE(Has(y, "'Content-Length': '20'")) << y;
  EXPECT_TRUE(Has(y, "body: '<h1>Hola Mundo</h1>\\n'")) << y;
  EXPECT_TRUE(Has(y, "  - shutdown: c1\n  - expect: {on: c1, closed: true}\n")) << y;
  EXPECT_TRUE(Has(y, "# protocols (detected): http: c1")) << y;
}

TEST(ScenarioWriter, HeaderOptions) {
  Recording r;
  int c = Connected(&r, 41000);
  r.ClientData(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  r.ServerData(c, kResponse);
  ScenarioOptions o = Options();
  o.headers.keep = {"etag"};
  o.headers.drop = {"server", "set-cookie"};
  o.target = "web";
  std::string y = Write(r, o);
  EXPECT_TRUE(Has(y, "target: web\n")) << y;
  EXPECT_TRUE(Has(y, "  - connect: c1\n")) << y;
  EXPECT_TRUE(Has(y, "'ETag': '\"abc\"'")) << y;
  EXPECT_FALSE(Has(y, "'Server'")) << y;
  EXPECT_FALSE(Has(y, "Set-Cookie")) << y;
}

TEST(ScenarioWriter, HeadResponsesAndLargeBodies) {
  Recording r;
  int c = Connected(&r, 41000);
  r.ClientData(c, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /big HTTP/1.1\r\nHost: x\r\n\r\n");
  r.ServerData(c, "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n");
  r.ServerData(
      c, "HTTP/1.1 200 OK\r\nContent-Length: 10006\r\n\r\nfirst line\n" + std::string(9995, 'z'));
  std::string y = Write(r);
  EXPECT_TRUE(Has(y, "body: ''")) << y;
  EXPECT_TRUE(Has(y, "body: {length: 10006, contains: 'first line'}")) << y;
}

TEST(ScenarioWriter, ABodyWithTheAddressHasAnyLength) {
  Recording r;
  int c = Connected(&r, 41000);
  r.ClientData(c, "GET /echo HTTP/1.1\r\nHost: 127.0.0.1:40000\r\n\r\n");
  r.ServerData(c, "HTTP/1.1 200 OK\r\nContent-Length: 29\r\n\r\nheader: Host: 127.0.0.1:40000");
  std::string y = Write(r);
  EXPECT_TRUE(Has(y, "'Content-Length': {regex: '^\\d+$'}")) << y;
  EXPECT_TRUE(Has(y, "body: 'header: Host: ${server}'")) << y;
}

TEST(ScenarioWriter, ALargeBodyWithTheAddressIsNotCheckedByLength) {
  Recording r;
  int c = Connected(&r);
  r.ClientData(c, "POST /echo HTTP/1.1\r\nHost: 127.0.0.1:40000\r\nContent-Length: 9000\r\n\r\n" +
                      std::string(9000, 'z'));
  std::string body = "method: POST\nheader: Host: 127.0.0.1:40000\n" + std::string(9000, 'z');
  r.ServerData(
      c, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  std::string y = Write(r);
  EXPECT_TRUE(Has(y, "'Content-Length': {regex: '^\\d+$'}")) << y;
  EXPECT_TRUE(Has(y, "body: {contains: 'method: POST'}")) << y;
  EXPECT_TRUE(Has(y,
                  "data: ['POST /echo HTTP/1.1\\r\\nHost: ${server}\\r\\nContent-Length: "
                  "9000\\r\\n\\r\\n', {repeat: 'z', count: 9000}]"))
      << y;
}

TEST(ScenarioWriter, AChatRoomWithCaptures) {
  Recording r;
  int a = Connected(&r, 41000);
  r.ServerData(a, "* welcome guest1\n* online: guest1\n");
  int b = r.Open(Transport::kTcp, "y");
  r.Connected(b, 41001);
  r.ServerData(b, "* welcome guest2\n* onl");
  r.ServerData(b, "ine: guest1 guest2\n");
  r.ServerData(a, "* guest2 joined\n");
  r.ClientData(a, "hola\n");
  r.ServerData(b, "<guest1> hola\n");
  r.ClientData(b, "/msg guest1 psst\n");
  r.ServerData(a, "*guest2* psst\n");
  r.ClientData(a, "/quit bye\n");
  r.Add(a, Kind::kServerClosed);
  r.Add(a, Kind::kClientClosed);
  r.ServerData(b, "* guest1 left (bye)\n");
  std::string y = Write(r);
  EXPECT_TRUE(Has(y, "# protocols (detected): lines: c1 c2")) << y;
  EXPECT_TRUE(Has(y,
                  "expect: {on: c1, line: {regex: '^\\* welcome (guest\\d+)$'}, "
                  "capture: [guest_1]}"))
      << y;
  EXPECT_TRUE(Has(y, "expect: {on: c1, line: '* online: ${guest_1}'}")) << y;
  EXPECT_TRUE(Has(y, "expect: {on: c2, line: '* online: ${guest_1} ${guest_2}'}")) << y;
  EXPECT_TRUE(Has(y, "expect: {on: c1, line: '*${guest_2}* psst'}")) << y;
  EXPECT_TRUE(Has(y, "send: {on: c2, text: '/msg ${guest_1} psst\\n'}")) << y;
  EXPECT_TRUE(Has(y, "expect: {on: c2, line: '<${guest_1}> hola'}")) << y;
  EXPECT_TRUE(Has(y, "  - expect: {on: c1, closed: true}\n  - close: c1\n")) << y;
  EXPECT_TRUE(Has(y, "expect: {on: c2, line: '* ${guest_1} left (bye)'}")) << y;
}

TEST(ScenarioWriter, ClientSendsAreMergedUntilAnotherEvent) {
  Recording r;
  int c = Connected(&r, 41000);
  r.ClientData(c, "hel");
  r.ClientData(c, "lo\n");
  r.ServerData(c, "hi\n");
  r.ClientData(c, "bye\n");
  std::string y = Write(r);
  EXPECT_TRUE(Has(y,
                  "send: {on: c1, text: 'hello\\n'}\n  - expect: {on: c1, line: 'hi'}\n"
                  "  - send: {on: c1, text: 'bye\\n'}"))
      << y;
}

TEST(ScenarioWriter, BinaryIsHexAndLongRunsRepeat) {
  Recording r;
  int c = Connected(&r, 41000);
  r.ClientData(c, std::string("\x16\x03\x01\x00\x05\x00\x00\x00\x00\x00", 10));
  r.ServerData(c, std::string("\x15\x03\x01\x00\x02\x02\x28", 7));
  r.ServerData(c, std::string("\x00", 1));
  r.ClientData(c, "up: " + std::string(100, 'z') + "!");
  r.Add(c, Kind::kServerReset);
  std::string y = Write(r);
  EXPECT_TRUE(Has(y, "# protocols (detected): bytes: c1")) << y;
  EXPECT_TRUE(Has(y, "send: {on: c1, hex: '16 03 01 00 05 00 00 00 00 00'}")) << y;
  EXPECT_TRUE(Has(y, "expect: {on: c1, bytes: {hex: '15 03 01 00 02 02 28 00'}}")) << y;
  EXPECT_TRUE(Has(y, "send: {on: c1, data: ['up: ', {repeat: 'z', count: 100}, '!']}")) << y;
  EXPECT_TRUE(Has(y, "expect: {on: c1, reset: true}")) << y;
}

TEST(ScenarioWriter, ProtocolGivenAndResets) {
  Recording r;
  int c = Connected(&r, 41000);
  r.ClientData(c, "ping\n");
  r.ServerData(c, "pong\npar");
  r.Add(c, Kind::kClientReset);
  ScenarioOptions o = Options();
  o.protocol = StreamProtocol::kBytes;
  std::string y = Write(r, o);
  EXPECT_TRUE(Has(y, "# protocols (--protocol): bytes: c1")) << y;
  EXPECT_TRUE(Has(y, "expect: {on: c1, bytes: 'pong\\npar'}\n  - close: {on: c1, how: reset}"))
      << y;
}

TEST(ScenarioWriter, AServerThatCannotBeReachedIsAComment) {
  Recording r;
  int c = r.Open(Transport::kTcp, "127.0.0.1:5000");
  r.ConnectFailed(c, "cannot connect to the server 127.0.0.1:9: Connection refused");
  WrittenScenario w = WriteScenario(r, Options());
  EXPECT_EQ(w.steps, 0);
  EXPECT_TRUE(Has(w.yaml,
                  "# c1 (from 127.0.0.1:5000): the server could not be reached "
                  "(cannot connect to the server 127.0.0.1:9: Connection refused)"))
      << w.yaml;

  int d = r.Open(Transport::kTcp, "127.0.0.1:5001");
  r.Connected(d, 41000);
  std::string y = Write(r);
  EXPECT_TRUE(Has(y, "connect: {name: c2, address: '${server}'}")) << y;
  EXPECT_FALSE(Has(y, "name: c1,")) << y;
}

TEST(ScenarioWriter, TruncationStopsTheConnectionWithANote) {
  Recording r(2048);
  int c = Connected(&r, 41000);
  r.ClientData(c, "a\n");
  r.ServerData(c, std::string(1500, 'b') + "\n");
  r.ServerData(c, std::string(1500, 'c') + "\n");  // past the bound: dropped
  r.ServerData(c, "d\n");
  r.Add(c, Kind::kServerClosed);
  std::string y = Write(r);
  EXPECT_TRUE(Has(y,
                  "# c1: recording stopped here: the connection passed the bound of 2048 "
                  "recorded bytes"))
      << y;
  EXPECT_FALSE(Has(y, "'d'")) << y;
  EXPECT_FALSE(Has(y, "closed: true")) << y;
  EXPECT_TRUE(Has(y, "  - close: c1\n")) << y;
}

TEST(ScenarioWriter, UdpDatagrams) {
  Recording r;
  int c = r.Open(Transport::kUdp, "127.0.0.1:6000");
  r.Connected(c, 41000);
  r.ClientData(c, "hi\n");
  r.ClientData(c, "again\n");
  r.ServerData(c, "* welcome guest4\n");
  ScenarioOptions o = Options();
  o.target = "chat";
  std::string y = Write(r, o);
  EXPECT_TRUE(Has(y, "connect: {name: c1, protocol: udp}")) << y;
  EXPECT_TRUE(Has(y, "send: {on: c1, text: 'hi\\n'}\n  - send: {on: c1, text: 'again\\n'}")) << y;
  EXPECT_TRUE(Has(y,
                  "expect: {on: c1, datagram: {regex: '^\\* welcome (guest\\d+)\\n$'}, "
                  "capture: [guest_1]}"))
      << y;
}

TEST(ScenarioWriter, ABadVolatilePatternIsAnError) {
  Recording r;
  ScenarioOptions o = Options();
  o.volatile_patterns = {"(a"};
  EXPECT_FALSE(WriteScenario(r, o).error.empty());
}

TEST(ScenarioWriter, DetectsProtocols) {
  Recording r;
  int http = r.Open(Transport::kTcp, "x");
  r.ClientData(http, "OPTIONS * HTTP/1.1\r\n");
  int server_first = r.Open(Transport::kTcp, "x");  // the first bytes the client sent count
  r.ServerData(server_first, "220 ready\r\n");
  r.ClientData(server_first, "GET / HTTP/1.1\r\n");
  int bytes = r.Open(Transport::kTcp, "x");
  r.ClientData(bytes, std::string("\0\0\0\1", 4));
  int text = r.Open(Transport::kTcp, "x");
  r.ClientData(text, "HELO there\r\n");
  EXPECT_EQ(DetectProtocol(r, http), StreamProtocol::kHttp);
  EXPECT_EQ(DetectProtocol(r, server_first), StreamProtocol::kHttp);
  EXPECT_EQ(DetectProtocol(r, bytes), StreamProtocol::kBytes);
  EXPECT_EQ(DetectProtocol(r, text), StreamProtocol::kLines);
}

}  // namespace
}  // namespace parley::harness
