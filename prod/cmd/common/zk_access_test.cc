#include "prod/cmd/common/zk_access.h"

#include <gtest/gtest.h>

namespace lj::cmd {
namespace {

const ZkRoleIds kRoles{"operator:op-digest", "lumberjack:lj-digest", "graceland:gl-digest"};

// The perms `id` has on `path` (0: none).
int32_t perms_of(const std::string& path, const std::string& id) {
  int32_t perms = 0;
  for (const ZkAclEntry& entry : zk_acl_for(lumberjack::ZkLayout{}, kRoles, path)) {
    EXPECT_EQ(entry.scheme, "digest");
    if (entry.id == id) perms |= entry.perms;
  }
  return perms;
}

TEST(ZkAcl, CustomersAreTheOperatorsAndOnlyReadByLumberjack) {
  for (const char* path : {"/lj/customers", "/lj/customers/1001"}) {
    EXPECT_EQ(perms_of(path, kRoles.operator_id), kZkAll);
    EXPECT_EQ(perms_of(path, kRoles.lumberjack_id), kZkRead);
    EXPECT_EQ(perms_of(path, kRoles.graceland_id), 0)
        << "keys and password hashes are not a Graceland's";
  }
}

TEST(ZkAcl, LumberjackWritesCheckpointsAssignmentsAndItsOwnNodes) {
  for (const char* path : {"/lj/checkpoints/1001", "/lj/assignments/1001", "/lj/workers/lj-1-7",
                           "/lj/master", "/lj/election/n-0000000001", "/lj/loads/lj-1-7"}) {
    EXPECT_EQ(perms_of(path, kRoles.lumberjack_id), kZkRead | kZkWrite | kZkCreate | kZkDelete)
        << path;
    EXPECT_EQ(perms_of(path, kRoles.graceland_id), 0) << path;
  }
  EXPECT_EQ(perms_of("/lj/drained/lj-2", kRoles.lumberjack_id), kZkRead);
}

TEST(ZkAcl, GracelandsRegisterAndReadNothingElse) {
  EXPECT_EQ(perms_of("/lj/gracelands/ams", kRoles.graceland_id),
            kZkRead | kZkWrite | kZkCreate | kZkDelete);
  EXPECT_EQ(perms_of("/lj/gracelands/ams", kRoles.lumberjack_id), kZkRead);
  EXPECT_EQ(perms_of("/lj", kRoles.graceland_id), kZkRead | kZkCreate);
  EXPECT_EQ(perms_of("/lj/somewhere-new", kRoles.graceland_id), 0);
}

TEST(ZkAuthFileTest, ParsesAndNamesWhatIsWrong) {
  Result<ZkAuthFile> file = parse_zk_auth_file(
      "# lumberjack's\ncredential lumberjack:pw\nrole operator operator:a\nrole lumberjack "
      "lumberjack:b\n"
      "role graceland graceland:c\n");
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  EXPECT_EQ(file->credential, "lumberjack:pw");
  EXPECT_EQ(file->roles.graceland_id, "graceland:c");
  for (const char* broken :
       {"", "credential lumberjack:pw\n", "credential nopassword\nrole operator o:a\n",
        "credential a:b\nrole admin a:b\n", "credential a:b c\n"}) {
    Result<ZkAuthFile> parsed = parse_zk_auth_file(broken);
    EXPECT_FALSE(parsed.ok()) << "\"" << broken << "\"";
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.code(), ErrorCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace lj::cmd
