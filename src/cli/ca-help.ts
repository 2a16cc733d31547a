// The help texts of `sshield ca` and its subcommands (not a command file: text only).

export const CA_HELP = `
Certificates instead of copying public keys to every server, and instead of
trusting host keys on first use. Everything is done by OpenSSH's own ssh-keygen.

  On your workstation (or an offline machine), once:
    sshield ca init --dir ~/ssh-ca
  On each server, once (copy ~/ssh-ca/user_ca.pub there first):
    sshield ca trust --user-ca user_ca.pub --principals alice:alice --principals deploy:ci
  For each person, as often as you like (short validity: nothing to clean up):
    sshield ca sign --dir ~/ssh-ca --key alice.pub --principals alice --validity +8h
  When a key or certificate must stop working before it expires:
    sshield ca revoke --dir ~/ssh-ca --serial 12
    sshield ca trust --user-ca user_ca.pub --revoked revoked_keys.krl     # on each server
  So clients stop asking "are you sure you want to continue connecting":
    sshield ca sign-host --dir ~/ssh-ca --hostnames pve1,pve1.example.com  # on the server
    # and add the printed "@cert-authority ..." line to ~/.ssh/known_hosts on clients

A principal is a name written in the certificate; a server lets a certificate log
in as USER only when USER's principals file lists one of its principals (root only
when you name root with --allow-root-principals). \`sshield ca list\` shows every
certificate issued (serial, principals, validity, key fingerprint, who signed).`;

export const CA_INIT_HELP = `
Makes DIR (mode 0700) with user_ca and host_ca (private keys, 0600, made without a
passphrase; give them one with \`ssh-keygen -p -f DIR/user_ca\`, load them with ssh-add
and sign with --agent), their .pub files, ca.json (the
validity policy) and ledger.json (one entry per certificate, serials never reused).
DIR must be yours alone: a DIR others can read or write, a symbolic link, or a DIR
under a directory others can change is refused. An existing CA is never overwritten.

Examples:
  sshield ca init --dir ~/ssh-ca
  sshield ca init --dir /media/offline/ca --type ed25519 --user-max-validity 12h`;

export const CA_SIGN_HELP = `
Signs KEY.pub with the user CA (ssh-keygen -s) and writes KEY-cert.pub beside it;
ssh picks the certificate up automatically next to the private key. The serial is
the ledger's next one, taken under the CA's lock, so two signers never share one.
A validity longer than the CA's maximum (default 24h) is refused (exit 3) unless
--allow-long-validity. Times are UTC: +8h, -5m:+1h, 20261204000000Z:20261205000000Z.

With --agent the CA key is used through ssh-agent (ssh-keygen -U), so it can stay
passphrase-protected on disk: ssh-add ~/ssh-ca/user_ca first.

Examples:
  sshield ca sign --dir ~/ssh-ca --key ~/.ssh/id_ed25519.pub --principals alice --validity +8h
  sshield ca sign --dir ~/ssh-ca --key backup.pub --principals backup --validity +1h \\
      --source-address 192.0.2.10/32 --force-command /usr/local/bin/backup --no-pty

Exit codes: 0 signed; 2 bad input or an error; 3 refused by the validity policy.`;

export const CA_REVOKE_HELP = `
Records the revocation in the ledger and rebuilds DIR/revoked_keys.krl (a KRL made
by ssh-keygen -k) from the whole ledger. Servers learn about it only when you install
the KRL there: sshield ca trust --user-ca user_ca.pub --revoked revoked_keys.krl
(sshd refuses every public key when RevokedKeys cannot be read, so trust checks the
file with ssh-keygen -Q before it is installed).

Examples:
  sshield ca revoke --dir ~/ssh-ca --serial 12
  sshield ca revoke --dir ~/ssh-ca --key lost-laptop.pub`;

export const CA_TRUST_HELP = `
Plans TrustedUserCAKeys (the CA is added to the file already trusted, if any),
AuthorizedPrincipalsFile DIR/%u with one root-owned 0644 file per account you name,
and with --revoked, RevokedKeys. Shows a diff, asks (needs a TTY unless --yes), then
writes through the same safe-edit pipeline as harden: backup, sshd -t on the
candidate, atomic install, reload, a fresh connection, rollback on failure.
Accounts without a principals file accept no certificate. A second run changes nothing.

Examples:
  sshield ca trust --user-ca user_ca.pub --principals alice:alice,ops --dry-run
  sshield ca trust --user-ca user_ca.pub --principals root:pve-admins --allow-root-principals --yes
  sshield ca trust --user-ca user_ca.pub --revoked revoked_keys.krl --yes

Exit codes (the same for every changing command): 0 done, nothing to do or --dry-run;
2 bad usage, an error, or a change that failed and was rolled back; 3 refused by a
guard, declined, no TTY to ask on, or changed since planning.`;

export const CA_SIGN_HOST_HELP = `
Signs the public half of every HostKey sshd uses (ssh-keygen -s host_ca -h), installs
each certificate as KEY-cert.pub and a HostCertificate line beside its HostKey, through
the same pipeline as every change (diff, --dry-run, --yes, backup, sshd -t, reload).
Prints the one line clients put in known_hosts:
  @cert-authority pve1,pve1.example.com ssh-ed25519 AAAA... sshield host CA
With StrictHostKeyChecking yes, clients then connect with no per-host entry.
On Proxmox VE the cluster's own keys under /etc/pve and /etc/pve/priv/known_hosts
are left alone. --root DIR signs the keys of an offline root (an image).

Examples:
  sshield ca sign-host --dir ~/ssh-ca --hostnames pve1,pve1.example.com --dry-run
  sshield ca sign-host --dir ~/ssh-ca --hostnames web1 --pattern '*.example.com' --yes`;
