package io.cloudportal.kafka;

import io.cloudportal.tck.MessagingContract;
import io.cloudportal.tck.TckHarness;

class KafkaMessagingIT extends MessagingContract {
    @Override
    protected TckHarness harness() {
        return KafkaHarness.INSTANCE;
    }
}
