//! Running one optimizer process and measuring what it cost.
//!
//! Wall time alone would hide a tool that burns several cores, and peak memory is only
//! visible to the parent through the kernel's resource usage of that one child, so the
//! child is reaped with `wait4`, which returns its own `rusage` (CPU time, `ru_maxrss`)
//! even while other jobs run children in parallel — `RUSAGE_CHILDREN` deltas would mix
//! them. A watchdog kills a child that outlives the time limit; it waits for the child's
//! exit without reaping it (`waitid` with `WNOWAIT`), so it can never signal a recycled pid.
//!
//! `ru_maxrss` has one catch: Linux charges a child, at `exec`, with the high-water mark of
//! the address space it leaves — the parent's, since the child is spawned with `vfork`
//! semantics. So `ru_maxrss` is max(this process's peak, the tool's peak). While the child
//! runs, the watchdog also samples the tool's own peak (`VmHWM` in `/proc/PID/status`,
//! which starts afresh at exec); `ru_maxrss` is trusted only when it exceeds this process's
//! own peak, and the sampled value (which may miss growth in the last sampling interval)
//! is used otherwise.

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

/// How often the watchdog samples the child's peak memory and checks the time limit.
const SAMPLE_INTERVAL: Duration = Duration::from_millis(5);

/// A `KEY:  N kB` field of a `/proc/*/status` file, in KiB.
fn status_kib(path: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The child's own peak: `ru_maxrss` if it exceeds this process's peak (so it cannot be
/// ours, charged at exec), else the sampled `VmHWM`; a child too short-lived to be
/// sampled gets `ru_maxrss`, an upper bound.
fn child_peak(ru_maxrss_kib: u64, sampled_kib: u64) -> u64 {
    let own = status_kib("/proc/self/status", "VmHWM:").unwrap_or(u64::MAX);
    if ru_maxrss_kib > own || sampled_kib == 0 {
        ru_maxrss_kib
    } else {
        sampled_kib
    }
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
        let mut sampled_kib = 0;
        loop {
            // The child is not reaped until the watchdog is joined: the pid is still ours.
            if let Some(kib) = status_kib(&format!("/proc/{pid}/status"), "VmHWM:") {
                sampled_kib = sampled_kib.max(kib);
            }
            if start.elapsed() >= timeout {
                unsafe { libc::kill(pid, libc::SIGKILL) };
                return (true, sampled_kib);
            }
            match done_rx.recv_timeout(SAMPLE_INTERVAL.min(timeout.saturating_sub(start.elapsed())))
            {
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                _ => return (false, sampled_kib),
            }
        }
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
    let (timed_out, sampled_kib) = watchdog.join().unwrap_or((false, 0));

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
        max_rss_kib: child_peak(usage.ru_maxrss.max(0) as u64, sampled_kib),
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
