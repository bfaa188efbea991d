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
    /// Every mode, in the order a menu lists them.
    pub const ALL: [PermissionMode; 3] = [
        PermissionMode::Default,
        PermissionMode::AcceptEdits,
        PermissionMode::Plan,
    ];

    /// The CLI's name of the mode (`acceptEdits`).
    pub fn as_str(self) -> &'static str {
        match self {
            PermissionMode::Default => "default",
            PermissionMode::AcceptEdits => "acceptEdits",
            PermissionMode::Plan => "plan",
        }
    }

    /// The mode the CLI calls `name`; `None` for a mode ccdesk does not offer.
    pub fn parse(name: &str) -> Option<PermissionMode> {
        PermissionMode::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

impl std::fmt::Display for PermissionMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_spelled_as_the_cli_spells_them() {
        for m in PermissionMode::ALL {
            assert_eq!(
                serde_json::to_value(m).ok(),
                Some(serde_json::Value::from(m.as_str()))
            );
            assert_eq!(PermissionMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(PermissionMode::parse("bypassPermissions"), None);
        assert!(serde_json::from_str::<PermissionMode>("\"bypassPermissions\"").is_err());
    }
}
