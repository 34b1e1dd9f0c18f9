package io.cloudportal.examples.spring;

import io.cloudportal.leader.LeadershipEvent;
import io.cloudportal.spring.PortalCandidate;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** One instance leads the housekeeping; another takes over when it stops or loses its session. */
@Component
public class Housekeeper implements PortalCandidate {

    private static final Logger LOG = LoggerFactory.getLogger(Housekeeper.class);
    private final AtomicLong term = new AtomicLong();

    @Override
    public String election() {
        return "housekeeping";
    }

    @Override
    public void granted(LeadershipEvent event) {
        term.set(event.term());
        LOG.info("Leading the housekeeping, term {}", event.term());
    }

    @Override
    public void revoked(LeadershipEvent event) {
        term.set(0);
        LOG.info("No longer leading the housekeeping (term {} ended)", event.term());
    }

    /** @return the term this instance leads in, 0 if it does not lead */
    public long term() {
        return term.get();
    }
}
