package io.streambert.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Picks free TCP ports on 127.0.0.1. The KRaft controller needs its port before it starts (it is
 * part of the static quorum definition), so "listen on 0" is not an option; asking the OS for an
 * ephemeral port and releasing it leaves a small race that is acceptable for a local broker.
 */
final class FreePorts {
    private FreePorts() {}

    static int pick() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    static int pickOtherThan(int taken) {
        for (int i = 0; i < 20; i++) {
            int p = pick();
            if (p != taken) return p;
        }
        throw new IllegalStateException("could not find a second free port on 127.0.0.1");
    }
}
