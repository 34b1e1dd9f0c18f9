package io.cloudportal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The etcd fixtures against the real binary, spoken to through etcd's JSON gateway so this module
 * needs no etcd client: data survives a stop, a SIGKILL and a member's absence.
 */
class EmbeddedEtcdIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String call(String endpoint, String path, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + endpoint + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(json)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private static void put(String endpoint, String key, String value) throws Exception {
        call(endpoint, "/v3/kv/put", "{\"key\":\"" + b64(key) + "\",\"value\":\"" + b64(value) + "\"}");
    }

    private static String get(String endpoint, String key) throws Exception {
        return call(endpoint, "/v3/kv/range", "{\"key\":\"" + b64(key) + "\"}");
    }

    @Test
    void dataSurvivesARestartAndASigkillOnTheSameUrl() throws Exception {
        try (EmbeddedEtcd etcd = new EmbeddedEtcd()) {
            etcd.start();
            String url = etcd.url();
            put(etcd.endpoint(), "fixture/key", "kept");
            etcd.restart();
            assertThat(etcd.url()).isEqualTo(url);
            assertThat(get(etcd.endpoint(), "fixture/key")).contains(b64("kept"));
            etcd.kill();
            assertThat(etcd.isRunning()).isFalse();
            etcd.start();
            assertThat(get(etcd.endpoint(), "fixture/key")).contains(b64("kept"));
        }
    }

    @Test
    void aClusterKeepsServingWithOneMemberStoppedAndTheMemberCatchesUp() throws Exception {
        try (EmbeddedEtcdCluster cluster = new EmbeddedEtcdCluster(3)) {
            cluster.start();
            assertThat(cluster.url()).startsWith("etcd://").contains(",");
            cluster.stop(0);
            put(cluster.endpoint(1), "cluster/key", "written-while-0-was-away");
            cluster.restart(0);
            assertThat(get(cluster.endpoint(0), "cluster/key")).contains(b64("written-while-0-was-away"));
        }
    }
}
