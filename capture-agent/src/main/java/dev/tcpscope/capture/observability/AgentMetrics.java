package dev.tcpscope.capture.observability;

import dev.tcpscope.capture.agent.AgentCounters;
import dev.tcpscope.capture.decode.DecodeResult;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;

/**
 * The agent's counters as Micrometer meters, read from {@link AgentCounters} when scraped (the
 * capture loop only writes its plain fields). Names follow Prometheus' conventions under
 * {@code tcpscope_agent_}; every meter carries the observer and the source.
 */
public final class AgentMetrics implements MeterBinder {
  private final AgentCounters counters;
  private final String observer;
  private final String source;

  public AgentMetrics(AgentCounters counters, String observer, String source) {
    this.counters = counters;
    this.observer = observer;
    this.source = source;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    AgentCounters c = counters;
    counter(registry, "tcpscope.agent.frames", "Frames captured", c, AgentCounters::frames);
    counter(registry, "tcpscope.agent.segments", "TCP segments decoded", c,
        AgentCounters::segments);
    for (DecodeResult result : DecodeResult.all()) {
      if (result == DecodeResult.SEGMENT) {
        continue;
      }
      FunctionCounter.builder("tcpscope.agent.frames.skipped", c, x -> x.frames(result))
          .description("Frames that yielded no segment, by reason (miruo's header errors and"
              + " frames that are not TCP)")
          .tags("observer", observer, "source", source,
              "reason", result.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    counter(registry, "tcpscope.agent.segments.published", "Segments acknowledged by Kafka", c,
        AgentCounters::published);
    counter(registry, "tcpscope.agent.publish.failures", "Segments Kafka did not accept", c,
        AgentCounters::publishFailed);
    counter(registry, "tcpscope.agent.segments.dropped",
        "Segments dropped because the buffer to Kafka was full", c,
        AgentCounters::droppedByAgent);
    counter(registry, "tcpscope.agent.pcap.received", "Packets libpcap passed (pcap_stats)", c,
        x -> x.capture().received());
    counter(registry, "tcpscope.agent.pcap.dropped",
        "Packets libpcap dropped, its buffer full (ps_drop)", c, x -> x.capture().dropped());
    counter(registry, "tcpscope.agent.pcap.if.dropped",
        "Packets the interface or driver dropped (ps_ifdrop)", c,
        x -> x.capture().droppedByInterface());
    Gauge.builder("tcpscope.agent.buffer.segments", c, AgentCounters::bufferInUse)
        .description("Segments waiting between capture and Kafka")
        .tags("observer", observer, "source", source).register(registry);
    Gauge.builder("tcpscope.agent.buffer.capacity", c, AgentCounters::bufferCapacity)
        .description("Segments the buffer between capture and Kafka holds")
        .tags("observer", observer, "source", source).register(registry);
    Gauge.builder("tcpscope.agent.capture.clock", c, x -> x.captureClockUs() / 1e6)
        .description("The capture clock: newest capture timestamp, seconds since the epoch")
        .baseUnit("seconds")
        .tags("observer", observer, "source", source).register(registry);
  }

  private void counter(MeterRegistry registry, String name, String description,
      AgentCounters c, java.util.function.ToDoubleFunction<AgentCounters> value) {
    FunctionCounter.builder(name, c, value).description(description)
        .tags("observer", observer, "source", source).register(registry);
  }
}
