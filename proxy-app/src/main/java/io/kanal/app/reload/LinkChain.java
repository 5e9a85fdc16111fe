package io.kanal.app.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The directory entries a path goes through to reach its file: every symbolic link on the way, in the path itself
 * or in what a link points to, and the file at the end. Replacing any of them changes what the path reads, so a
 * watcher must look at all of them; a deploy tool that swaps a {@code current} link in the middle of the way is as
 * much a change as an edit of the file.
 */
final class LinkChain {

    /** As Linux's own limit: a loop of links ends here rather than never. */
    private static final int MAX_LINKS = 40;

    private LinkChain() {
    }

    /**
     * @param file an absolute path; it need not exist
     * @return the links it passes, in the order it passes them, then the entry it ends at
     * @throws IOException when a link cannot be read, or there are more than {@value #MAX_LINKS}
     */
    static Set<Path> of(Path file) throws IOException {
        Set<Path> entries = new LinkedHashSet<>();
        Deque<Path> ahead = new ArrayDeque<>();
        file.forEach(ahead::add);
        Path at = file.getRoot();
        int links = 0;
        while (!ahead.isEmpty()) {
            Path name = ahead.poll();
            if (name.toString().equals(".")) {
                continue;
            }
            if (name.toString().equals("..")) {
                // Every link before here has been followed, so the parent is the real one.
                at = at.getParent() != null ? at.getParent() : at;
                continue;
            }
            Path next = at.resolve(name);
            if (!Files.isSymbolicLink(next)) {
                at = next;
                continue;
            }
            if (++links > MAX_LINKS) {
                throw new IOException("more than " + MAX_LINKS + " symbolic links on the way to " + file);
            }
            entries.add(next);
            Path target = Files.readSymbolicLink(next);
            List<Path> names = new ArrayList<>();
            target.forEach(names::add);
            for (int index = names.size() - 1; index >= 0; index--) {
                ahead.addFirst(names.get(index));
            }
            if (target.isAbsolute()) {
                at = target.getRoot();
            }
        }
        entries.add(at);
        return entries;
    }
}
