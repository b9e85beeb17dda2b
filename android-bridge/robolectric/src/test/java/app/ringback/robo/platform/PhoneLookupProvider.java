package app.ringback.robo.platform;

import android.Manifest;
import android.content.pm.PackageManager;
import android.database.Cursor;
import android.database.MatrixCursor;
import android.net.Uri;
import android.provider.ContactsContract.PhoneLookup;
import android.telephony.PhoneNumberUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code com.android.contacts} authority's {@link PhoneLookup} path: the number is the
 * (Uri-decoded) last path segment, matched with the framework's {@link
 * PhoneNumberUtils#compare}; the answer has the columns asked for, of {@link PhoneLookup}'s.
 */
public final class PhoneLookupProvider extends CountingProvider {
  final Map<String, String> contacts = new LinkedHashMap<>();
  final List<Uri> uris = new ArrayList<>();
  final List<String[]> projections = new ArrayList<>();

  @Override
  public boolean onCreate() {
    return true;
  }

  @Override
  public Cursor query(
      Uri uri, String[] projection, String selection, String[] args, String sortOrder) {
    if (getContext().checkCallingOrSelfPermission(Manifest.permission.READ_CONTACTS)
        != PackageManager.PERMISSION_GRANTED) {
      throw new SecurityException("Permission Denial: reading contacts requires READ_CONTACTS");
    }
    uris.add(uri);
    projections.add(projection);
    List<String> path = uri.getPathSegments();
    if (path.size() != 2 || !path.get(0).equals("phone_lookup")) {
      throw new IllegalArgumentException("Unknown URI " + uri);
    }
    String number = uri.getLastPathSegment();
    MatrixCursor cursor = new MatrixCursor(projection);
    for (Map.Entry<String, String> contact : contacts.entrySet()) {
      if (PhoneNumberUtils.compare(contact.getKey(), number)) {
        Object[] row = new Object[projection.length];
        for (int i = 0; i < projection.length; i++) {
          if (projection[i].equals(PhoneLookup.DISPLAY_NAME)) {
            row[i] = contact.getValue();
          } else if (projection[i].equals(PhoneLookup.NUMBER)) {
            row[i] = contact.getKey();
          } else {
            throw new IllegalArgumentException("Invalid column " + projection[i]);
          }
        }
        cursor.addRow(row);
      }
    }
    return handOut(cursor);
  }
}
