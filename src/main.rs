//! The `trustgate` binary: hand the process's streams to the library and exit with its code.

use std::io::IsTerminal;

fn main() {
    let stdin = std::io::stdin();
    let stdin_is_terminal = stdin.is_terminal();
    let stdout = std::io::stdout();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    // Not locked: a plan piped in is read on another thread (through `std::io::stdin()`),
    // which a lock held here would block.
    let mut stdin = stdin;
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::stderr();
    let code = {
        let mut io = trustgate::app::Io {
            stdin: &mut stdin,
            stdin_is_terminal,
            stdin_is_process: true,
            out: &mut out,
            err: &mut err,
            color,
        };
        trustgate::app::run(std::env::args_os(), &mut io)
    };
    use std::io::Write;
    if out.flush().is_err() {
        // A closed pipe (`| head`) is not worth a second error.
        std::process::exit(if code == 0 { 2 } else { code });
    }
    std::process::exit(code);
}
