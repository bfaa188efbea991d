//! How WebKitGTK draws the window on Linux.
//!
//! WebKitGTK 2.46+ paints with Skia on the GPU by default. A machine with no GPU (a VM, a remote
//! desktop, Xvfb) has no DRM render node, so that "GPU" is Mesa's llvmpipe: OpenGL emulated on
//! the CPU, which is slower than Skia's own CPU renderer and holds more memory. Measured with the
//! GUI benchmark (tests/bench, release build, Xvfb, 2 cores): opening the 200 MB transcript took
//! 455 ms to the first entries on llvmpipe against 306 ms with CPU rendering, and the window grew
//! by 48 MiB (PSS) against 20 MiB. So when there is no render node, ccdesk asks WebKit for CPU
//! rendering (`WEBKIT_SKIA_ENABLE_CPU_RENDERING=1`, read by WebKitGTK 2.46+), unless the user
//! set that variable either way.

use std::path::Path;

/// WebKitGTK's switch to Skia's CPU renderer: any value but `0` turns it on (read once by each
/// web process, `WebProcess::platformInitializeWebProcess` in WebKit's `WebProcessGLib.cpp`).
pub const CPU_RENDERING_VAR: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Whether to turn CPU rendering on: the user left `CPU_RENDERING_VAR` unset (`user_choice`
/// is its value) and `render_nodes` (the names in `/dev/dri`) hold no `renderD*` node.
pub fn wants_cpu_rendering<I, S>(user_choice: Option<&str>, render_nodes: I) -> bool
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    user_choice.is_none()
        && !render_nodes
            .into_iter()
            .any(|name| name.as_ref().starts_with("renderD"))
}

/// Sets `CPU_RENDERING_VAR` for WebKit when [`wants_cpu_rendering`] says so. Call before the
/// webview starts, while the process has one thread (it changes the environment). Linux only;
/// elsewhere it does nothing.
pub fn choose() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let user = std::env::var(CPU_RENDERING_VAR).ok();
    let nodes = std::fs::read_dir(Path::new("/dev/dri"))
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    if wants_cpu_rendering(user.as_deref(), &nodes) {
        tracing::info!("no GPU render node in /dev/dri: the webview paints on the CPU");
        std::env::set_var(CPU_RENDERING_VAR, "1");
    }
}

#[cfg(test)]
mod tests {
    use super::wants_cpu_rendering;

    #[test]
    fn cpu_rendering_only_without_a_render_node_and_without_a_user_choice() {
        let none: [&str; 0] = [];
        assert!(wants_cpu_rendering(None, none));
        assert!(wants_cpu_rendering(None, ["card0", "by-path"]));
        assert!(!wants_cpu_rendering(None, ["card0", "renderD128"]));
        assert!(!wants_cpu_rendering(Some("0"), none));
        assert!(!wants_cpu_rendering(Some("1"), ["renderD128"]));
    }
}
