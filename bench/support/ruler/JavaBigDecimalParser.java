// Only for building event-ruler where its number parser, fastdoubleparser, cannot be
// downloaded (no Maven Central): the same method on the JDK's own BigDecimal parser. Ruler
// calls it for numbers in numeric rules and events, so a build with it is slower than the
// real one on numeric matching, if at all. Compiled with event-ruler's sources (README,
// Benchmarks), never part of the project's own code.
package ch.randelshofer.fastdoubleparser;
import java.math.BigDecimal;
public final class JavaBigDecimalParser {
  private JavaBigDecimalParser() {}
  public static BigDecimal parseBigDecimal(CharSequence str) { return new BigDecimal(str.toString()); }
}
