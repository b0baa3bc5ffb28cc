// SPDX-License-Identifier: GPL-3.0-or-later
// The attacker of issue 9, R2, as a real process: it borrows another program's identity on a
// connection to Tessera's client socket. Plain POSIX on purpose (no Qt): what it does is exactly
// the system calls below.
//
//   identityhelper fork-exec SOCKET REQUEST PROG [ARGS...]
//       connects, asks whoami and waits for the answer (Tessera has accepted the connection),
//       then forks: the parent execs PROG (the approved agent's binary) in its own place, the
//       child waits until the parent runs PROG, sends REQUEST (one JSON line, "id":1) on the
//       inherited connection and prints every line it reads up to the answer.
//   identityhelper exec-when-told PROG [ARGS...] -- CHILD [CHILDARGS...]
//       forks CHILD with a pipe on fd 9; when CHILD writes a byte there (it has connected), execs
//       PROG in its own place: the parent of the connecting process turns into PROG.
//   identityhelper listen PORT
//       listens on 127.0.0.1:PORT (an OAuth client's loopback redirect port, R5), prints
//       "listening" and holds the port until its standard input closes.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

int die(const char *what)
{
    std::fprintf(stderr, "identityhelper: %s: %s\n", what, std::strerror(errno));
    return 99;
}

std::string exeOf(pid_t pid)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/exe", int(pid));
    char buf[4096];
    const ssize_t n = ::readlink(path, buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

bool writeLine(int fd, const std::string &line)
{
    const std::string out = line + "\n";
    return ::write(fd, out.data(), out.size()) == ssize_t(out.size());
}

/** Reads lines from @p fd until one contains @p marker; echoes them to stdout when @p echo. */
bool readUntil(int fd, const char *marker, bool echo)
{
    std::string buf;
    char c;
    while (::read(fd, &c, 1) == 1) {
        if (c != '\n') {
            buf += c;
            continue;
        }
        if (echo) {
            std::fwrite(buf.data(), 1, buf.size(), stdout);
            std::fputc('\n', stdout);
            std::fflush(stdout);
        }
        if (buf.find(marker) != std::string::npos)
            return true;
        buf.clear();
    }
    return false;
}

int forkExec(int argc, char **argv)
{
    if (argc < 5)
        return 2;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0); // inheritable: no SOCK_CLOEXEC
    if (fd < 0)
        return die("socket");
    sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, argv[2], sizeof addr.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
        return die("connect");
    if (!writeLine(fd, "{\"id\":0,\"method\":\"whoami\",\"params\":{}}") || !readUntil(fd, "\"id\":0", false))
        return die("whoami");
    const std::string before = exeOf(::getpid());
    const pid_t parent = ::getpid();
    const pid_t child = ::fork();
    if (child < 0)
        return die("fork");
    if (child == 0) {
        for (int i = 0; i < 500 && exeOf(parent) == before; ++i)
            ::usleep(10000);
        if (!writeLine(fd, argv[3]))
            return die("write");
        return readUntil(fd, "\"id\":1", true) ? 0 : 3;
    }
    ::execv(argv[4], argv + 4);
    return die("execv");
}

int execWhenTold(int argc, char **argv)
{
    int sep = 2;
    while (sep < argc && std::strcmp(argv[sep], "--") != 0)
        ++sep;
    if (sep == 2 || sep + 1 >= argc)
        return 2;
    int p[2];
    if (::pipe(p) != 0)
        return die("pipe");
    const pid_t child = ::fork();
    if (child < 0)
        return die("fork");
    if (child == 0) {
        ::close(p[0]);
        if (::dup2(p[1], 9) < 0)
            return die("dup2");
        ::execv(argv[sep + 1], argv + sep + 1);
        return die("execv child");
    }
    ::close(p[1]);
    char c;
    if (::read(p[0], &c, 1) != 1)
        return die("the child did not connect");
    ::close(p[0]);
    argv[sep] = nullptr;
    ::execv(argv[2], argv + 2);
    return die("execv");
}

} // namespace

int listenUntilEof(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return die("socket");
    const int on = 1;
    (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(std::atoi(argv[2])));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
        return die("bind");
    if (::listen(fd, 4) != 0)
        return die("listen");
    std::printf("listening\n");
    std::fflush(stdout);
    char c;
    while (::read(0, &c, 1) > 0) { }
    ::close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && std::strcmp(argv[1], "listen") == 0)
        return listenUntilEof(argc, argv);
    if (argc >= 2 && std::strcmp(argv[1], "fork-exec") == 0)
        return forkExec(argc, argv);
    if (argc >= 2 && std::strcmp(argv[1], "exec-when-told") == 0)
        return execWhenTold(argc, argv);
    std::fprintf(stderr,
        "usage: identityhelper fork-exec SOCKET REQUEST PROG [ARGS...]\n"
        "       identityhelper exec-when-told PROG [ARGS...] -- CHILD [ARGS...]\n"
        "       identityhelper listen PORT\n");
    return 2;
}
