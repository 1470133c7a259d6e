#pragma once

#include <boost/asio/io_context.hpp>

#include "prod/io/network.h"

namespace lj {

class AsioNetwork final : public Network {
 public:
  explicit AsioNetwork(boost::asio::io_context& io) : io_(io) {}
  Result<std::unique_ptr<Listener>> listen(const std::string& address) override;
  Task<Result<std::unique_ptr<Connection>>> connect(const std::string& address) override;

 private:
  boost::asio::io_context& io_;
};

}  // namespace lj
