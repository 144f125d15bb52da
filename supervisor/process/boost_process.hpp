#pragma once

// The one way this project includes Boost.Process v2. It is header-only here
// (never include boost/process/v2/src.hpp). Its default filesystem is
// boost::filesystem, whose compiled library on this platform is of another
// Boost version, so we select std::filesystem; Boost 1.81 then needs
// boost::optional and boost::decay declared before its own headers.

#ifndef BOOST_PROCESS_USE_STD_FS
#define BOOST_PROCESS_USE_STD_FS 1
#endif

#include <boost/optional.hpp>
#include <boost/type_traits/decay.hpp>

// Only after the two above.
#include <boost/process/v2/posix/fork_and_forget_launcher.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/start_dir.hpp>
#include <boost/process/v2/stdio.hpp>
