# -*- coding: utf-8 -*-
# Action plugin of sshield_harden: ships the sshield executable by sha256, then runs the module on the
# target (plugin_utils/ship.py). Copyright: sshield contributors; MIT License.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.sshield.openssh.plugins.plugin_utils.ship import SshieldChangeAction


class ActionModule(SshieldChangeAction):
    MODULE = 'sshield.openssh.sshield_harden'
