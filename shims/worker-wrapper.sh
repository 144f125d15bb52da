#!/usr/bin/env bash
# placeholder: replaced by the real shim
exit 1
