// TlsPolicy's client certificate: `openssl s_server` that requires one (signed by a CA the test
// makes) refuses the transport without it and answers with it.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "base/fd.h"
#include "base/fs.h"
#include "base/subprocess.h"
#include "registry/curl_transport.h"
#include "testing/background_process.h"
#include "testing/test_env.h"

namespace kiln::registry {
namespace {

Status Openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  return RunChecked(args).status();
}

// ca.crt, and NAME.crt / NAME.key for "server" (IP 127.0.0.1) and "client", in `dir`.
Status MakeCerts(const std::string& dir) {
  RETURN_IF_ERROR(
      Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
               "-nodes", "-keyout", dir + "/ca.key", "-out", dir + "/ca.crt", "-days", "2", "-subj",
               "/CN=kiln-test-ca", "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
               "keyUsage=critical,keyCertSign,cRLSign"}));
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/server.cnf",
                                  "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"));
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/client.cnf", "extendedKeyUsage=clientAuth\n"));
  for (std::string name : {"server", "client"}) {
    std::string base = dir + "/" + name;
    RETURN_IF_ERROR(Openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                             "-nodes", "-keyout", base + ".key", "-out", base + ".csr", "-subj",
                             "/CN=kiln-test-" + name}));
    RETURN_IF_ERROR(Openssl({"x509", "-req", "-in", base + ".csr", "-CA", dir + "/ca.crt", "-CAkey",
                             dir + "/ca.key", "-CAcreateserial", "-out", base + ".crt", "-days",
                             "2", "-extfile", base + ".cnf"}));
  }
  return Status::Ok();
}

// Waits (bounded) until something accepts TCP connections on 127.0.0.1:port.
bool WaitForListener(int port, const testing::BackgroundProcess& process) {
  for (int i = 0; i < 300 && process.running(); ++i) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(CurlTransportClientCertTest, ServerThatRequiresAClientCertificate) {
  testing::ScratchDir dir;
  ASSERT_TRUE(MakeCerts(dir.path()).ok());
  auto port = testing::FreeLoopbackPort();
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  auto server = testing::BackgroundProcess::Start(
      {"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(*port), "-cert",
       dir.Sub("server.crt"), "-key", dir.Sub("server.key"), "-CAfile", dir.Sub("ca.crt"),
       "-Verify", "1", "-www", "-quiet"},
      dir.Sub("s_server.log"));
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE(WaitForListener(*port, **server)) << (*server)->Log();

  CurlTransport transport;
  Request request;
  request.url = "https://127.0.0.1:" + std::to_string(*port) + "/";
  request.tls.ca_file = dir.Sub("ca.crt");
  request.timeout_seconds = 60;
  auto refused = transport.Do(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kUnavailable) << refused.status().ToString();

  request.tls.client_cert = dir.Sub("client.crt");
  request.tls.client_key = dir.Sub("client.key");
  auto answered = transport.Do(request);
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  EXPECT_EQ(answered->status, 200);
  EXPECT_NE(answered->body.find("kiln-test-client"), std::string::npos) << "the server saw it";
}

}  // namespace
}  // namespace kiln::registry
