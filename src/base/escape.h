// Making bytes from outside kiln safe to print on a terminal.
#pragma once

#include <string>
#include <string_view>

namespace kiln {

// `s` with every byte a terminal could act on written as a C escape, like `ls -b` and git's
// core.quotePath: control characters (C0, DEL and the C1 range U+0080–U+009F) as \t, \n, \r or
// \xHH, bytes that are not valid UTF-8 as \xHH, and '\' as "\\" so the result is unambiguous.
// Printable ASCII and valid UTF-8 (café.txt) are unchanged.
std::string EscapeForTerminal(std::string_view s);

}  // namespace kiln
