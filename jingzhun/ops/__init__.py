"""Operating the installation: backups, the audit trail, sign-in lockouts (commands of `jingzhun`)."""
