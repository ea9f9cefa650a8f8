#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Makes samples/wireshark.png: the sample capture as Wireshark shows it, a
# column for the comment in the packet list, the first packet's comment
# opened in the details. Wireshark runs under Xvfb with a configuration of
# its own (a temporary HOME): nothing of yours is read or changed.
# Usage (as root on Debian; installs wireshark-qt, xvfb, xdotool and
# imagemagick if missing): samples/make-picture.sh [CAPTURE [OUT]]
set -eu
cd "$(dirname "$0")/.."
capture=$(realpath "${1:-samples/drops-sample.pcapng}")
out=$(realpath -m "${2:-samples/wireshark.png}")
W=1600 H=760

need=()
for p in wireshark-qt xvfb xauth xdotool imagemagick; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "make-picture: installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${need[@]}" >/dev/null
fi

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
# what runs inside Xvfb: Wireshark, a window of WxH at 0,0, the details
# pane's first item (Packet comments) and its comment opened, a picture
cat >"$home/shoot.sh" <<SHOOT
set -u
wireshark -r "$capture" -g 1 \\
	-o 'gui.column.format:"No.","%m","Source","%s","Destination","%d","Protocol","%p","Info","%i","Comment","%Cus:frame.comment:0:R"' \\
	-o gui.layout_content_3:NONE -o gui.packet_list_show_minimap:FALSE \\
	>"$home/wireshark.log" 2>&1 &
ws=\$!
for _ in \$(seq 60); do
	win=\$(xdotool search --name "$(basename "$capture")" 2>/dev/null | head -n1)
	[ -n "\$win" ] && break
	sleep 0.5
done
[ -n "\$win" ] || { echo "make-picture: no Wireshark window" >&2; kill \$ws; exit 1; }
sleep 3
xdotool windowsize \$win $W $H windowmove \$win 0 0
sleep 2
xdotool mousemove 300 $((H * 68 / 100)) click 1  # into the details pane
sleep 0.5
xdotool key Home; sleep 0.3; xdotool key Right; sleep 0.3
xdotool key Down; sleep 0.3; xdotool key Right; sleep 1
xdotool mousemove $((W - 10)) $((H - 10))
import -window root "$out"
kill \$ws
SHOOT
HOME=$home XDG_CONFIG_HOME=$home/.config XDG_RUNTIME_DIR=$home \
	xvfb-run -a -s "-screen 0 ${W}x${H}x24" bash "$home/shoot.sh"
echo "make-picture: $out"
