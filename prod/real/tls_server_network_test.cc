// Mutual TLS on real loopback sockets: what a server learns of its clients, and what each side
// hears when a certificate is refused. Certificates come from a CA made here (EC P-256).
#include "prod/real/tls_server_network.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "prod/real/asio_runtime.h"
#include "prod/real/tls_network.h"

namespace lj {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

Key new_key() {
  return Key(EVP_EC_gen("P-256"));
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(extension, nullptr);
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// A certificate for `key` with subject entries (field, value) in order, signed by
// issuer_key (self-signed when issuer is null).
Cert make_cert(EVP_PKEY* key, const std::vector<std::pair<std::string, std::string>>& subject,
               X509* issuer, EVP_PKEY* issuer_key, bool server) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const auto& [field, value] : subject) {
    X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0);
  }
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (issuer == nullptr) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_basic_constraints, "CA:FALSE");
    add_extension(cert.get(), signer, NID_ext_key_usage, server ? "serverAuth" : "clientAuth");
    if (server) add_extension(cert.get(), signer, NID_subject_alt_name, "IP:127.0.0.1");
  }
  EXPECT_GT(X509_sign(cert.get(), issuer_key, EVP_sha256()), 0);
  return cert;
}

class Pki {
 public:
  explicit Pki(std::string dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    ca_key_ = new_key();
    ca_ = make_cert(ca_key_.get(), {{"CN", "test CA " + dir_}}, nullptr, ca_key_.get(), false);
    write_cert(ca_.get(), ca_file());
  }
  std::string ca_file() const { return dir_ + "/ca.crt"; }
  // NAME.crt and NAME.key.
  void issue(const std::string& name,
             const std::vector<std::pair<std::string, std::string>>& subject, bool server = false) {
    Key key = new_key();
    Cert cert = make_cert(key.get(), subject, ca_.get(), ca_key_.get(), server);
    write_cert(cert.get(), cert_file(name));
    FILE* out = std::fopen(key_file(name).c_str(), "w");
    ASSERT_NE(out, nullptr);
    PEM_write_PrivateKey(out, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(out);
  }
  std::string cert_file(const std::string& name) const { return dir_ + "/" + name + ".crt"; }
  std::string key_file(const std::string& name) const { return dir_ + "/" + name + ".key"; }

 private:
  static void write_cert(X509* cert, const std::string& path) {
    FILE* out = std::fopen(path.c_str(), "w");
    ASSERT_NE(out, nullptr);
    PEM_write_X509(out, cert);
    std::fclose(out);
  }
  std::string dir_;
  Key ca_key_;
  Cert ca_;
};

class MutualTlsTest : public ::testing::Test {
 protected:
  MutualTlsTest()
      : root_(::testing::TempDir() + "/mtls-" + std::to_string(::getpid())),
        ours_(root_ + "/ours"),
        theirs_(root_ + "/theirs") {
    ours_.issue("server", {{"OU", "graceland"}, {"CN", "ams"}}, /*server=*/true);
    ours_.issue("proxy3", {{"OU", "proxy"}, {"CN", "3"}});
    ours_.issue("two-roles", {{"OU", "operator"}, {"OU", "proxy"}, {"CN", "3"}});
    theirs_.issue("proxy3", {{"OU", "proxy"}, {"CN", "3"}});
    TlsServerOptions options{ours_.cert_file("server"), ours_.key_file("server"), ours_.ca_file(),
                             "REFUSED\n"};
    auto server = TlsServerNetwork::create(env_.network, options);
    EXPECT_TRUE(server.ok()) << server.error().to_string();
    server_ = std::move(*server);
    auto listener = server_->listen("127.0.0.1:0");
    EXPECT_TRUE(listener.ok());
    listener_ = std::move(*listener);
  }
  ~MutualTlsTest() override {
    runtime_.shutdown();
    std::filesystem::remove_all(root_);
  }

  // A client network presenting `name` of `pki` (none if name is empty), trusting our CA.
  std::unique_ptr<TlsNetwork> client(const Pki& pki, const std::string& name) {
    TlsClientOptions options;
    options.ca_file = ours_.ca_file();
    if (!name.empty()) {
      options.cert_file = pki.cert_file(name);
      options.key_file = pki.key_file(name);
    }
    auto network = TlsNetwork::create(env_.network, options);
    EXPECT_TRUE(network.ok()) << network.error().to_string();
    return std::move(*network);
  }

  struct Exchange {
    Status server_read;                           // the server's first read
    std::optional<PeerIdentity> identity;         // after it
    std::optional<PeerIdentity> server_identity;  // what the client learnt of the server
    Status client_read;                           // the client reading the server's answer
    std::string client_heard;
  };
  // The client connects and sends "hello"; the server reads, then answers "ok" (or closes).
  Exchange exchange(Network& client_network) {
    Exchange result;
    bool served = false;
    env_.executor.spawn([](Listener& listener, Exchange& result, bool& served) -> Task<void> {
      Result<std::unique_ptr<Connection>> server = co_await listener.accept();
      if (server.ok()) {
        std::vector<std::byte> buffer(64);
        Result<size_t> got = co_await (*server)->read_some(buffer);
        result.server_read = got.status();
        result.identity = (*server)->peer_identity();
        const std::string ok = "ok";
        if (got.ok()) (void)co_await write_all(**server, std::as_bytes(std::span(ok)));
        (*server)->close();
      }
      served = true;
    }(*listener_, result, served));
    runtime_.run([](Listener& listener, Network& network, Exchange& result) -> Task<void> {
      Result<std::unique_ptr<Connection>> client = co_await network.connect(listener.address());
      if (!client.ok()) {
        result.client_read = client.status();
        co_return;
      }
      result.server_identity = (*client)->peer_identity();
      const std::string hello = "hello";
      (void)co_await write_all(**client, std::as_bytes(std::span(hello)));
      std::vector<std::byte> buffer(64);
      Result<size_t> heard = co_await (*client)->read_some(buffer);
      result.client_read = heard.status();
      if (heard.ok())
        result.client_heard.assign(reinterpret_cast<const char*>(buffer.data()), *heard);
    }(*listener_, client_network, result));
    runtime_.run([](Clock& clock, bool& served) -> Task<void> {
      for (int i = 0; i < 500 && !served; ++i)
        co_await clock.sleep_for(std::chrono::milliseconds(10));
    }(env_.clock, served));
    EXPECT_TRUE(served);
    return result;
  }

  std::string root_;
  Pki ours_;
  Pki theirs_;
  RealRuntime runtime_;
  Env env_ = runtime_.env();
  std::unique_ptr<TlsServerNetwork> server_;
  std::unique_ptr<Listener> listener_;
};

TEST_F(MutualTlsTest, TheServerLearnsTheRoleAndNameOfAVerifiedClient) {
  auto network = client(ours_, "proxy3");
  const Exchange result = exchange(*network);
  ASSERT_TRUE(result.server_read.ok()) << result.server_read.to_string();
  ASSERT_TRUE(result.identity.has_value());
  EXPECT_EQ(result.identity->role, "proxy");
  EXPECT_EQ(result.identity->name, "3");
  EXPECT_EQ(result.client_heard, "ok");
  // ... and the client the server's: a Lumberjack checks that a PoP's address is its Graceland.
  ASSERT_TRUE(result.server_identity.has_value());
  EXPECT_EQ(result.server_identity->role, "graceland");
  EXPECT_EQ(result.server_identity->name, "ams");
}

// A client may send no certificate; one whose subject names a role twice proves none.
TEST_F(MutualTlsTest, NoCertificateOrAnAmbiguousSubjectGivesNoIdentity) {
  for (const char* name : {"", "two-roles"}) {
    auto network = client(ours_, name);
    const Exchange result = exchange(*network);
    ASSERT_TRUE(result.server_read.ok()) << name << ": " << result.server_read.to_string();
    EXPECT_FALSE(result.identity.has_value()) << name;
  }
}

TEST_F(MutualTlsTest, ACertificateOfAnotherCaIsRefusedAndBothSidesSayWhy) {
  auto network = client(theirs_, "proxy3");
  const Exchange result = exchange(*network);
  EXPECT_EQ(result.server_read.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(result.server_read.to_string().find("client certificate refused"), std::string::npos)
      << result.server_read.to_string();
  EXPECT_FALSE(result.identity.has_value());
  EXPECT_EQ(result.client_read.code(), ErrorCode::kPermissionDenied)
      << result.client_read.to_string();
  EXPECT_NE(result.client_read.to_string().find("refused our certificate"), std::string::npos)
      << result.client_read.to_string();
}

TEST_F(MutualTlsTest, APlainTcpClientReadsTheRefusal) {
  const Exchange result = exchange(env_.network);
  EXPECT_EQ(result.server_read.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(result.server_read.to_string().find("did not start TLS"), std::string::npos);
  EXPECT_EQ(result.client_heard, "REFUSED\n");
}

TEST_F(MutualTlsTest, AKeyThatIsNotTheCertificatesIsRefusedAtStart) {
  TlsServerOptions options{ours_.cert_file("server"), ours_.key_file("proxy3"), ours_.ca_file(),
                           ""};
  auto server = TlsServerNetwork::create(env_.network, options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace lj
