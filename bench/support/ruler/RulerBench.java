// The other side of pattern.bench.ts: aws/event-ruler's Machine on the same events and rules,
// measured the same way (parsing included, one thread, the clock read every 256 events).
// Arguments: events file (one JSON event a line), rule sets file (one set a line:
// {"name": …, "rules": [pattern, …]}), milliseconds a measurement, matches file to write.
// Prints one line per set: name, events/s, matches per event.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import software.amazon.event.ruler.Machine;

public final class RulerBench {
  public static void main(String[] args) throws Exception {
    List<String> events = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
    List<String> sets = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8);
    long measureMs = Long.parseLong(args[2]);
    ObjectMapper json = new ObjectMapper();
    List<Machine> machines = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String line : sets) {
      if (line.isBlank()) continue;
      JsonNode set = json.readTree(line);
      Machine machine = new Machine();
      int i = 0;
      for (JsonNode rule : set.get("rules")) machine.addRule("r" + i++, json.writeValueAsString(rule));
      machines.add(machine);
      names.add(set.get("name").asText());
    }
    // Warm the JIT on every set before measuring anything, as the Node side does.
    for (Machine machine : machines) {
      for (int i = 0; i < 20_000; i++) machine.rulesForJSONEvent(events.get(i % events.size()));
    }
    try (BufferedWriter matches = Files.newBufferedWriter(Path.of(args[3]), StandardCharsets.UTF_8)) {
      for (int m = 0; m < machines.size(); m++) {
        Machine machine = machines.get(m);
        // What matched each event, for the comparison with the Node matcher: rule numbers, sorted.
        for (String event : events) {
          List<Integer> hit = new ArrayList<>();
          for (String rule : machine.rulesForJSONEvent(event)) hit.add(Integer.parseInt(rule.substring(1)));
          Collections.sort(hit);
          matches.write(names.get(m) + "\t" + hit + "\n");
        }
        long processed = 0;
        long matched = 0;
        int next = 0;
        long start = System.nanoTime();
        long elapsed = 0;
        while (elapsed < measureMs * 1_000_000L) {
          for (int batch = 0; batch < 256; batch++) {
            matched += machine.rulesForJSONEvent(events.get(next)).size();
            next = next + 1 == events.size() ? 0 : next + 1;
          }
          processed += 256;
          elapsed = System.nanoTime() - start;
        }
        double perSecond = processed / (elapsed / 1e9);
        System.out.println(names.get(m) + "\t" + perSecond + "\t" + ((double) matched / processed));
      }
    }
  }
}
