//! The permission modes ccdesk offers for a session.

use serde::{Deserialize, Serialize};

/// A permission mode ccdesk lets the user choose (`--permission-mode=<m>` at start, the
/// `set_permission_mode` control request later). Serialized as the CLI spells it:
/// `"default"`, `"acceptEdits"`, `"plan"` (CLI 2.1.112 `--help`; the SDKs' `PermissionMode`).
///
/// `bypassPermissions` is never offered (and the CLI refuses it as root). A live session may
/// still report a mode the CLI switched to on its own; [`crate::pool::SessionInfo::permission_mode`]
/// is therefore the CLI's own string, not this type.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "camelCase")]
pub enum PermissionMode {
    /// Ask before every tool use that is not allowed by the settings.
    #[default]
    Default,
    /// File edits are allowed without asking.
    AcceptEdits,
    /// Plan only: the model may read but not change anything.
    Plan,
}

impl PermissionMode {
    /// The CLI's name of the mode (`acceptEdits`).
    pub fn as_str(self) -> &'static str {
        match self {
            PermissionMode::Default => "default",
            PermissionMode::AcceptEdits => "acceptEdits",
            PermissionMode::Plan => "plan",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_spelled_as_the_cli_spells_them() {
        for m in [
            PermissionMode::Default,
            PermissionMode::AcceptEdits,
            PermissionMode::Plan,
        ] {
            assert_eq!(
                serde_json::to_value(m).ok(),
                Some(serde_json::Value::from(m.as_str()))
            );
            let back: PermissionMode = serde_json::from_value(m.as_str().into()).unwrap();
            assert_eq!(back, m);
        }
        assert!(serde_json::from_str::<PermissionMode>("\"bypassPermissions\"").is_err());
    }
}
