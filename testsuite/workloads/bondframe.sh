#!/bin/sh
# bondframe.sh - sends the unhandled Ethernet frame (rawframe) on lo, then once more into
# the inactive slave of an active-backup bond, whose rx_handler answers RX_HANDLER_EXACT
# for it: the drop then takes __netif_receive_skb_core's deliver_exact branch.
# Sets the bond up on first use (needs the veth, tls and bonding modules loaded).
set -e
if [ ! -d /sys/class/net/scbond ]; then
	echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null || true
	ip link add name scva type veth      # peers get kernel-chosen names: veth0, veth1
	ip link add name scvb type veth
	echo +scbond > /sys/class/net/bonding_masters
	echo active-backup > /sys/class/net/scbond/bonding/mode
	echo 100 > /sys/class/net/scbond/bonding/miimon
	echo +scva > /sys/class/net/scbond/bonding/slaves
	echo +scvb > /sys/class/net/scbond/bonding/slaves
	ip link set scbond up
	ip link set veth0 up
	ip link set veth1 up
	sleep 1
fi
# The peer of whichever slave is not active.
if [ "$(cat /sys/class/net/scbond/bonding/active_slave)" = scva ]; then peer=veth1; else peer=veth0; fi
./rawframe lo
./rawframe "$peer"
