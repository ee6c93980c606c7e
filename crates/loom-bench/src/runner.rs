//! Running one optimizer process and measuring what it cost.
//!
//! Wall time alone would hide a tool that burns several cores, and peak memory is only
//! visible to the parent through the kernel's resource usage of that one child, so the
//! child is reaped with `wait4`, which returns its own `rusage` (CPU time, `ru_maxrss`)
//! even while other jobs run children in parallel — `RUSAGE_CHILDREN` deltas would mix
//! them. A watchdog kills a child that outlives the time limit; it waits for the child's
//! exit without reaping it (`waitid` with `WNOWAIT`), so it can never signal a recycled pid.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// What one finished child process cost.
#[derive(Clone, Debug)]
pub struct Measured {
    pub status: ExitStatus,
    /// The tail of what the child wrote on stderr (for failure messages).
    pub stderr: String,
    pub wall: Duration,
    /// User plus system CPU time of the child (and its reaped descendants' are not counted).
    pub cpu: Duration,
    /// Peak resident set size of the child, in KiB (`ru_maxrss` on Linux).
    pub max_rss_kib: u64,
    pub timed_out: bool,
}

/// Longest stderr tail kept for a failure message: enough for an error line or two.
const STDERR_TAIL: usize = 2000;

/// Runs `argv` to completion (stdout discarded, stderr kept), killing it after `timeout`.
pub fn run(argv: &[String], timeout: Duration) -> Result<Measured> {
    let (program, args) = argv.split_first().context("empty command")?;
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {program}"))?;
    let pid = child.id() as libc::pid_t;
    let mut stderr_pipe = child.stderr.take().context("no stderr pipe")?;
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr_pipe.read_to_end(&mut buf);
        buf
    });

    let (done_tx, done_rx) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if done_rx.recv_timeout(timeout) == Err(mpsc::RecvTimeoutError::Timeout) {
            // The child is not reaped until the watchdog is joined: the pid is still ours.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            return true;
        }
        false
    });

    // Wait for the exit without reaping, so the watchdog's pid stays valid.
    loop {
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if r == 0 {
            break;
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return Err(std::io::Error::last_os_error()).context("waitid");
        }
    }
    let wall = start.elapsed();
    let _ = done_tx.send(());
    let timed_out = watchdog.join().unwrap_or(false);

    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if r != pid {
        return Err(std::io::Error::last_os_error()).context("wait4");
    }
    let stderr = reader.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&stderr);
    let tail_start = stderr.len().saturating_sub(STDERR_TAIL);
    let tail_start = (tail_start..stderr.len())
        .find(|&i| stderr.is_char_boundary(i))
        .unwrap_or(stderr.len());
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Ok(Measured {
        status: ExitStatus::from_raw(status),
        stderr: stderr[tail_start..].trim().to_string(),
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss.max(0) as u64,
        timed_out,
    })
}

/// The first line a tool prints for `--version`, or why there is none.
pub fn version(argv: &[String]) -> String {
    let Some((program, args)) = argv.split_first() else {
        return "unknown".to_string();
    };
    match Command::new(program)
        .args(args)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
    {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            let line = text.lines().next().unwrap_or("").trim();
            if line.is_empty() {
                "unknown (no --version output)".to_string()
            } else {
                line.to_string()
            }
        }
        Err(e) => format!("unknown ({e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    #[test]
    fn measures_exit_status_and_stderr() {
        let m = run(&sh("echo oops >&2; exit 3"), Duration::from_secs(10)).unwrap();
        assert_eq!(m.status.code(), Some(3));
        assert_eq!(m.stderr, "oops");
        assert!(!m.timed_out);
        assert!(m.max_rss_kib > 0);
    }

    #[test]
    fn kills_after_timeout() {
        let m = run(&sh("exec sleep 5"), Duration::from_millis(100)).unwrap();
        assert!(m.timed_out);
        assert!(!m.status.success());
        assert!(m.wall < Duration::from_secs(4));
    }
}
